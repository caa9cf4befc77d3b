package io.qcow4j.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * {@code qcow2}: read, inspect, convert and mount disk images from the command line, with {@code qemu-img}'s
 * vocabulary. Errors are one line on standard error and exit status 1; usage errors exit 2.
 */
public final class Qcow2Command implements Runnable {

    private final CommandSpec spec;

    Qcow2Command() {
        spec = CommandModels.finish(CommandModels.command(this, "qcow2", "Read, inspect, convert and mount disk images"
                        + " (qcow2, raw, VMDK, VHD, VHDX, VDI, Parallels), and write qcow2, as qemu-img would.",
                "  qcow2 info disk.qcow2",
                "  qcow2 convert -p disk.qcow2 disk.raw",
                "  qcow2 mount disk.qcow2 /mnt/disk      # then read /mnt/disk/disk.raw",
                "", "Run 'qcow2 help COMMAND' for a command's options."));
    }

    public static void main(String[] args) {
        preferUsNumberFormats();
        System.exit(run(Streams.system(), args));
    }

    /**
     * The JVM makes the C and POSIX locales (cron, containers, {@code env -i}) plain English, {@code en}, for which the
     * process's first {@code String.format} (jffi's, as a native library loads) reads the CLDR locale data to find the
     * digit zero: milliseconds of a short command. {@code en_US} formats numbers the same and needs none of it.
     */
    static void preferUsNumberFormats() {
        if (Locale.getDefault(Locale.Category.FORMAT).equals(Locale.ENGLISH)) {
            Locale.setDefault(Locale.Category.FORMAT, Locale.US);
        }
    }

    /**
     * The whole command tree, every subcommand added: what the documents generated from the commands (shell
     * completion, man pages) describe. A run adds only the subcommands its command line needs (see
     * {@link Subcommands}).
     *
     * @return a command line for {@code qcow2} that knows all its subcommands
     */
    public static CommandLine commandTree() {
        CommandLine commandLine = new CommandLine(new Qcow2Command().model());
        for (CommandSpec subcommand : Subcommands.all(Streams.system())) {
            commandLine.addSubcommand(subcommand);
        }
        return commandLine;
    }

    /** The top-level command's model, for picocli. */
    CommandSpec model() {
        return spec;
    }

    /** Runs one command line and returns its exit status; never throws, never prints a stack trace unasked. */
    static int run(Streams streams, String... args) {
        if (Subcommands.isVersionAlone(args)) {
            // what picocli would print, without the model it would build first: most of the command's time
            PrintWriter out = new PrintWriter(new OutputStreamWriter(streams.out(), StandardCharsets.UTF_8), true);
            for (String line : new Version().getVersion()) {
                out.println(line);
            }
            return 0;
        }
        Failures failures = new Failures(streams.err());
        CommandLine commandLine = new CommandLine(new Qcow2Command().model());
        // before the settings below, which apply to the subcommands known when they are made
        for (CommandSpec subcommand : Subcommands.neededBy(streams, args)) {
            commandLine.addSubcommand(subcommand);
        }
        commandLine.setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(failures)
                .setParameterExceptionHandler(failures)
                .setOut(new PrintWriter(new OutputStreamWriter(streams.out(), StandardCharsets.UTF_8), true))
                .setErr(new PrintWriter(streams.err(), true))
                .setExecutionStrategy(new WarningLines.WhileWorking(streams.err()));
        try {
            return commandLine.execute(args);
        } catch (Exception | Error failure) {
            // picocli hands Errors (a stack overflow on a hostile image, say) straight through
            ImageCommand command = current(commandLine.getParseResult());
            failures.report(command == null ? null : command.subject(), command != null && command.common().debug(),
                    failure);
            return Failures.FAILED;
        }
    }

    /** The image command the command line runs, or null (help, version, usage errors). */
    static ImageCommand current(ParseResult result) {
        ParseResult parsed = result;
        while (parsed != null && parsed.subcommand() != null) {
            parsed = parsed.subcommand();
        }
        return parsed != null && parsed.commandSpec().userObject() instanceof ImageCommand command ? command : null;
    }

    @Override
    public void run() {
        // the command line named no subcommand, so picocli knows them all
        List<String> names = spec.subcommands().keySet().stream().filter(name -> !"help".equals(name)).toList();
        throw new ParameterException(spec.commandLine(), "Missing required subcommand (" + String.join(", ", names)
                + ")");
    }
}
