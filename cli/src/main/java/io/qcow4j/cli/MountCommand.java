package io.qcow4j.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import io.qcow4j.Images;
import io.qcow4j.fuse.MountOptions;

/**
 * {@code qcow2 mount}, which {@code bin/mount-qcow2} runs too. Behaves like other FUSE tools (sshfs, guestmount): by
 * default it returns once the raw file is readable and a background process, started with the same command line,
 * serves it until unmounted; with {@code -f} (or a debug option) it serves from this process until unmounted, by
 * {@code fusermount -u}, Ctrl-C or SIGTERM. A mount that cannot start prints one line and exits 1, leaving nothing
 * mounted; a usage error exits 2.
 */
final class MountCommand extends ImageCommand {

    static final String FOREGROUND = "--foreground";
    /** Hidden: the child of a background mount reports "ready" or its failure on standard output, then keeps quiet. */
    static final String REPORT_READY = "--report-ready";

    private final OptionSpec name = CommandModels.option("NAME", "The raw file's name (default: the image's name with"
            + " .raw).", "-n", "--name").build();

    private final OptionSpec format = CommandModels.option("FMT", CommonOptions.FORMAT_HELP, "--format").build();

    private final OptionSpec foreground = CommandModels.flag("Serve from this process until unmounted (Ctrl-C"
            + " unmounts).", "-f", FOREGROUND);

    private final OptionSpec allowOther = CommandModels.flag("let other users read the file (FUSE allow_other); unless"
            + " you are root, /etc/fuse.conf must contain the line user_allow_other", "--allow-other");

    private final OptionSpec pageCache = CommandModels.flag("serve through the kernel's page cache: faster for tools"
            + " reading in small blocks (dd's default 512 bytes, e2fsck), slower for large sequential reads",
            "--page-cache");

    private final OptionSpec fuseDebug = CommandModels.flag("Print every FUSE request (implies --foreground); --debug"
            + " does too, as in sshfs, besides printing an error's stack trace.", "-d", "--fuse-debug");

    private final OptionSpec reportReady = OptionSpec.builder(REPORT_READY).type(boolean.class)
            .hidden(true).build();

    private final PositionalParamSpec image = CommandModels.parameter("0", "IMAGE", "The image file.").build();

    private final PositionalParamSpec mountPoint = CommandModels.parameter("1", "MOUNTPOINT", "An existing, empty"
            + " directory.").build();

    MountCommand(Streams streams) {
        super(streams, "mount", "Serve IMAGE as one read-only raw file inside the directory MOUNTPOINT, through FUSE.",
                "  qcow2 mount disk.qcow2 /mnt/disk && ls -ls /mnt/disk     # disk.raw",
                "  qcow2 mount -f --name vda disk.qcow2 /mnt/disk           # Ctrl-C unmounts",
                "  fusermount -u /mnt/disk",
                "  (bin/mount-qcow2 IMAGE MOUNTPOINT is the same command.)");
        spec().usageMessage().description(spec().usageMessage().description()[0],
                "Returns once the file is readable; a background process serves it until 'fusermount -u MOUNTPOINT'.");
        spec().addOption(name).addOption(format).addOption(foreground).addOption(allowOther).addOption(pageCache)
                .addOption(fuseDebug).addOption(reportReady).addPositional(image).addPositional(mountPoint);
    }

    @Override
    public Integer call() throws Exception {
        MountRequest request = request();
        Streams streams = streams();
        PrintStream out = new PrintStream(streams.out(), true, StandardCharsets.UTF_8);
        if (reportsReady()) {
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
            options = MountOptions.builder().fileName(CommandModels.value(name))
                    .allowOther(CommandModels.isSet(allowOther))
                    .debug(CommandModels.isSet(fuseDebug) || common().debug())
                    .pageCache(CommandModels.isSet(pageCache)).build();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        return new MountRequest(Path.of(subject()), Path.of(CommandModels.<String>value(mountPoint)),
                common().openOptions(CommandModels.value(format)), options, CommandModels.isSet(foreground));
    }

    /** Whether this is a background mount's child, which reports on standard output. */
    boolean reportsReady() {
        return CommandModels.isSet(reportReady);
    }

    @Override
    String subject() {
        return CommandModels.value(image);
    }
}
