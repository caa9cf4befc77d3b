package io.qcow4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs the command line in this JVM with captured streams, as a user would from a shell. */
final class Cli {

    /** The repository root: the cli module's parent. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path SAMPLE = ROOT.resolve("sample/sample.qcow2");
    static final Path SAMPLE_BASE = ROOT.resolve("sample/base.qcow2");

    /** What a command did. */
    record Result(int exit, byte[] stdout, String stderr) {

        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private Cli() {
    }

    static Result run(String... args) {
        return run(false, args);
    }

    /**
     * Runs with a standard output that takes {@code accepted} bytes and then fails every write with {@code error}
     * ("Broken pipe" when the reader went away, "No space left on device"...); its result's stdout is empty.
     */
    static Result runFailingOutput(long accepted, String error, String... args) {
        OutputStream failing = new OutputStream() {
            private long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > accepted) {
                    throw new IOException(error);
                }
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = Qcow2Command.run(new Streams(failing, errStream, false), args);
        return new Result(exit, new byte[0], err.toString(StandardCharsets.UTF_8));
    }

    /** @param terminal whether standard error pretends to be a terminal */
    static Result run(boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = Qcow2Command.run(new Streams(out, errStream, terminal), args);
        errStream.flush();
        return new Result(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }
}
