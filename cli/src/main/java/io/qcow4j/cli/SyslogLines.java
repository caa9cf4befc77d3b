package io.qcow4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Where the background process reports (its standard error goes nowhere): each line to the system log through
 * {@code logger}, which is cheap enough because only the first read error is reported.
 */
final class SyslogLines extends OutputStream {

    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    static PrintStream stream() {
        return new PrintStream(new SyslogLines(), true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            send(line.toString(StandardCharsets.UTF_8));
            line.reset();
        } else {
            line.write(b);
        }
    }

    private static void send(String message) {
        try {
            new ProcessBuilder("logger", "-t", "qcow4j-mount", "--", message)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            // no logger: the EIO answers still tell the reader
        }
    }
}
