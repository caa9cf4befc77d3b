package io.qcow4j.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
                stderrIsTerminal());
    }

    /**
     * Whether standard error is a terminal, from what descriptor 2 names ({@link System#console()} tells of standard
     * input and output instead: {@code qcow2 convert ... > log} still shows its bar on a terminal's standard error).
     */
    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }
}
