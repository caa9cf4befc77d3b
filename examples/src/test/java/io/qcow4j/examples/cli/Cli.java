package io.qcow4j.examples.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs the command line in this JVM with captured streams, as a user would from a shell. */
final class Cli {

    /** The repository root: the examples module's parent. */
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
