package io.qcow4j.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.qcow4j.Images;
import io.qcow4j.fuse.MountOptions;

/**
 * {@code qcow2 mount}, which {@code bin/mount-qcow2} runs too. Behaves like other FUSE tools (sshfs, guestmount): by
 * default it returns once the raw file is readable and a background process, started with the same command line,
 * serves it until unmounted; with {@code -f} (or a debug option) it serves from this process until unmounted, by
 * {@code fusermount -u}, Ctrl-C or SIGTERM. A mount that cannot start prints one line and exits 1, leaving nothing
 * mounted; a usage error exits 2.
 */
@Command(name = "mount", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Serve IMAGE as one read-only raw file inside the directory MOUNTPOINT, through FUSE.",
                "Returns once the file is readable; a background process serves it until 'fusermount -u MOUNTPOINT'."},
        footer = {"", "Examples:",
                "  qcow2 mount disk.qcow2 /mnt/disk && ls -ls /mnt/disk     # disk.raw",
                "  qcow2 mount -f --name vda disk.qcow2 /mnt/disk           # Ctrl-C unmounts",
                "  fusermount -u /mnt/disk",
                "  (bin/mount-qcow2 IMAGE MOUNTPOINT is the same command.)"})
final class MountCommand extends ImageCommand {

    static final String FOREGROUND = "--foreground";
    /** Hidden: the child of a background mount reports "ready" or its failure on standard output, then keeps quiet. */
    static final String REPORT_READY = "--report-ready";

    @Option(names = {"-n", "--name"}, paramLabel = "NAME",
            description = "The raw file's name (default: the image's name with .raw).")
    private String name;

    @Option(names = "--format", paramLabel = "FMT", description = CommonOptions.FORMAT_HELP)
    private String format;

    @Option(names = {"-f", FOREGROUND}, description = "Serve from this process until unmounted (Ctrl-C unmounts).")
    private boolean foreground;

    @Option(names = "--allow-other", description = "let other users read the file (FUSE allow_other); unless you are"
            + " root, /etc/fuse.conf must contain the line user_allow_other")
    private boolean allowOther;

    @Option(names = "--page-cache", description = "serve through the kernel's page cache: faster for tools reading in"
            + " small blocks (dd's default 512 bytes, e2fsck), slower for large sequential reads")
    private boolean pageCache;

    @Option(names = {"-d", "--fuse-debug"}, description = "Print every FUSE request (implies --foreground); --debug"
            + " does too, as in sshfs, besides printing an error's stack trace.")
    private boolean fuseDebug;

    @Option(names = REPORT_READY, hidden = true)
    private boolean reportReady;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image file.")
    private String image;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "An existing, empty directory.")
    private String mountPoint;

    @Override
    public Integer call() throws Exception {
        MountRequest request = request();
        Streams streams = streams();
        PrintStream out = new PrintStream(streams.out(), true, StandardCharsets.UTF_8);
        if (reportReady) {
            // the parent opened the image and checked the mount point; what fails now goes to it as a line
            return new ForegroundMount(request, out, streams.err(), true).run();
        }
        // open it here first: a missing or damaged image fails with the same line as in every other command
        Images.open(request.image(), request.openOptions()).close();
        if (request.inForeground()) {
            return new ForegroundMount(request, out, streams.err(), false).run();
        }
        return new BackgroundMount(request, ChildCommandLine.of(parseResult()), streams.err()).run();
    }

    /** What the command line asks for; a usage error when the options cannot go together. */
    MountRequest request() {
        MountOptions options;
        try {
            options = MountOptions.builder().fileName(name).allowOther(allowOther)
                    .debug(fuseDebug || common().debug).pageCache(pageCache).build();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        return new MountRequest(Path.of(image), Path.of(mountPoint), common().openOptions(format), options,
                foreground);
    }

    /** Whether this is a background mount's child, which reports on standard output. */
    boolean reportsReady() {
        return reportReady;
    }

    @Override
    String subject() {
        return image;
    }
}
