package io.qcow4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Rewrites the program name at the start of each line passing through: the mount module signs its error lines
 * {@code mount-qcow2:}, and under {@code qcow2 mount} they should read {@code qcow2:} like every other error.
 */
final class PrefixedLines extends OutputStream {

    private final OutputStream out;
    private final String from;
    private final String to;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    PrefixedLines(OutputStream out, String from, String to) {
        this.out = out;
        this.from = from;
        this.to = to;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        line.write(b);
        if (b == '\n') {
            flushLine();
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        // a partial line waits for its end, so that its start can still be rewritten
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        flushLine();
        out.flush();
    }

    private void flushLine() throws IOException {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.startsWith(from)) {
            text = to + text.substring(from.length());
        }
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }
}
