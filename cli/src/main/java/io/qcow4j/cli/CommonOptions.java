package io.qcow4j.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import io.qcow4j.FilePolicy;
import io.qcow4j.OpenOptions;
import io.qcow4j.qcow2.Qcow2Options;

/**
 * The options every subcommand takes: how to open the image, and how to report failures. The format option is not
 * among them: it is {@code -f} everywhere ({@link FormatOption}) but in {@code mount}, where {@code -f} keeps the
 * mount in the foreground, as in sshfs and other FUSE tools.
 */
final class CommonOptions {

    static final String FORMAT_HELP = "The image format (qcow2, raw, ...); probed from the file's first bytes when"
            + " absent.";

    private final OptionSpec safe = CommandModels.flag("For untrusted images: refuse any image that names a backing"
            + " file or an external data file, so reading it cannot open other files on this host.", "--safe");

    private final OptionSpec l2CacheSize = CommandModels.option("SIZE", "Memory for cached L2 tables per image (K, M,"
            + " G suffixes; default: 8M, which maps 64 GiB at 64 KiB clusters).", "--l2-cache-size")
            .type(Long.class).converters(new SizeConverter()).build();

    private final OptionSpec snapshot = CommandModels.option("SNAPSHOT", "Read this internal snapshot (id or name)"
            + " instead of the active disk.", "-l", "--snapshot").build();

    private final OptionSpec debug = CommandModels.flag("Print the stack trace of an error after its one-line"
            + " message.", "--debug");

    private final OptionSpec forceShare = CommandModels.flag("Accepted as qemu-img takes it; qcow4j never locks an"
            + " image, and reads one a running QEMU holds open as it is at that moment.", "-U", "--force-share");

    /** Adds these options to a command, in the order its help lists them. */
    void addTo(CommandSpec command) {
        command.addOption(safe).addOption(l2CacheSize).addOption(snapshot).addOption(debug).addOption(forceShare);
    }

    /** {@code --debug}: show an error's stack trace. */
    boolean debug() {
        return CommandModels.isSet(debug);
    }

    /** {@code -l}, or null. */
    String snapshot() {
        return CommandModels.value(snapshot);
    }

    OpenOptions openOptions(String format) {
        return OpenOptions.builder()
                .format(format)
                .filePolicy(CommandModels.isSet(safe) ? FilePolicy.refuseOtherFiles() : FilePolicy.allowAll())
                .snapshot(snapshot())
                // null, when not given, leaves the option at its default
                .set(Qcow2Options.L2_CACHE_SIZE, CommandModels.<Long>value(l2CacheSize))
                .build();
    }
}
