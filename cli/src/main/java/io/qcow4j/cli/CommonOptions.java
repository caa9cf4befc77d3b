package io.qcow4j.cli;

import picocli.CommandLine.Option;

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

    @Option(names = "--safe",
            description = "For untrusted images: refuse any image that names a backing file or an external data file,"
                    + " so reading it cannot open other files on this host.")
    boolean safe;

    @Option(names = "--l2-cache-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Memory for cached L2 tables per image (K, M, G suffixes; default: 8M, which maps 64 GiB at"
                    + " 64 KiB clusters).")
    Long l2CacheSize;

    @Option(names = {"-l", "--snapshot"}, paramLabel = "SNAPSHOT",
            description = "Read this internal snapshot (id or name) instead of the active disk.")
    String snapshot;

    @Option(names = "--debug", description = "Print the stack trace of an error after its one-line message.")
    boolean debug;

    @Option(names = {"-U", "--force-share"},
            description = "Accepted as qemu-img takes it; qcow4j never locks an image, and reads one a running QEMU"
                    + " holds open as it is at that moment.")
    boolean forceShare;

    OpenOptions openOptions(String format) {
        return OpenOptions.builder()
                .format(format)
                .filePolicy(safe ? FilePolicy.refuseOtherFiles() : FilePolicy.allowAll())
                .snapshot(snapshot)
                // null, when not given, leaves the option at its default
                .set(Qcow2Options.L2_CACHE_SIZE, l2CacheSize)
                .build();
    }
}
