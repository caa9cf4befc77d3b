package io.qcow4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * A subcommand: the options they all take and the streams they all write to, and what the error handler needs of
 * them (which file an error is about, and whether to show stack traces).
 */
abstract class ImageCommand implements Callable<Integer> {

    private final Streams streams;
    private final CommandSpec spec;
    private final CommonOptions common = new CommonOptions();

    /**
     * Starts this command's model with the options every command takes; the subclass adds its own, and
     * {@link #model()} the help options.
     *
     * @param examples the lines of the help's "Examples:"
     */
    ImageCommand(Streams streams, String name, String description, String... examples) {
        this.streams = streams;
        this.spec = CommandModels.command(this, name, description, examples);
        common.addTo(spec);
    }

    /** This command's model, for picocli; call once, when every option is added. */
    final CommandSpec model() {
        return CommandModels.finish(spec);
    }

    /** The model, to add options to. */
    final CommandSpec spec() {
        return spec;
    }

    /** The file an error line names when the error itself names none. */
    abstract String subject();

    final CommonOptions common() {
        return common;
    }

    final Streams streams() {
        return streams;
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
