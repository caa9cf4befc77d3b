package io.qcow4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.util.concurrent.Callable;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * A subcommand: the options they all take and the streams they all write to, and what the error handler needs of
 * them (which file an error is about, and whether to show stack traces).
 */
abstract class ImageCommand implements Callable<Integer> {

    @ParentCommand
    private Qcow2Command parent;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    /** The file an error line names when the error itself names none. */
    abstract String subject();

    final CommonOptions common() {
        return common;
    }

    final Streams streams() {
        return parent.streams();
    }

    /** What picocli matched of this command's arguments. */
    final ParseResult parseResult() {
        return spec.commandLine().getParseResult();
    }

    /**
     * The status of a C tool that SIGPIPE killed (128 + 13): the reader of the pipe went away ({@code | head}), which
     * is how pipelines end, not an error worth a message.
     */
    static final int BROKEN_PIPE = 141;

    /**
     * What a failed write to standard output ends the command with: {@link #BROKEN_PIPE} where the reader went away,
     * else an error naming standard output, not the image.
     */
    static int outputFailed(IOException e) throws FileSystemException {
        if ("Broken pipe".equals(e.getMessage())) {
            return BROKEN_PIPE;
        }
        throw onStandardOutput(e);
    }

    /** A failed write, said of standard output. */
    private static FileSystemException onStandardOutput(IOException e) {
        return new FileSystemException("standard output", null, e.getMessage());
    }

    /** Writes text to standard output as UTF-8; a failure to is about standard output, not the image. */
    final void print(String text) throws IOException {
        try {
            streams().out().write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw onStandardOutput(e);
        }
    }

    /** A usage error: picocli prints it with a pointer to this command's help, and the exit status is 2. */
    final ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
