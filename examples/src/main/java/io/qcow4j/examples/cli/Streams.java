package io.qcow4j.examples.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Where a command writes: kept apart from {@link System} so that tests run commands in-process and capture both
 * streams.
 *
 * @param out             standard output, unbuffered; {@code read} writes raw bytes to it
 * @param err             standard error, for error lines and the progress bar
 * @param errIsTerminal   whether standard error is a terminal, so the progress bar is shown without {@code -p}
 */
record Streams(OutputStream out, PrintStream err, boolean errIsTerminal) {

    /** The process's own streams. */
    static Streams system() {
        // System.out would buffer and swallow write errors; the raw descriptor reports them
        return new Streams(new FileOutputStream(FileDescriptor.out),
                new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8),
                System.console() != null);
    }
}
