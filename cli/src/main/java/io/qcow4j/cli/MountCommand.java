package io.qcow4j.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.fuse.MountLauncher;
import io.qcow4j.fuse.MountOptions;
import io.qcow4j.fuse.MountRequest;

@Command(name = "mount", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Serve IMAGE as one read-only raw file inside the directory MOUNTPOINT, through FUSE.",
                "Returns once the file is readable; a background process serves it until 'fusermount -u MOUNTPOINT'."},
        footer = {"", "Examples:",
                "  qcow2 mount disk.qcow2 /mnt/disk && ls -ls /mnt/disk     # disk.raw",
                "  qcow2 mount -f --name vda disk.qcow2 /mnt/disk           # Ctrl-C unmounts",
                "  fusermount -u /mnt/disk",
                "  (bin/mount-qcow2 IMAGE MOUNTPOINT is the same command.)"})
final class MountCommand extends ImageCommand {

    @Option(names = {"-n", "--name"}, paramLabel = "NAME",
            description = "The raw file's name (default: the image's name with .raw).")
    private String name;

    @Option(names = "--format", paramLabel = "FMT", description = CommonOptions.FORMAT_HELP)
    private String format;

    @Option(names = {"-f", "--foreground"},
            description = "Serve from this process until unmounted (Ctrl-C unmounts).")
    private boolean foreground;

    @Option(names = "--allow-other", description = MountLauncher.ALLOW_OTHER_HELP)
    private boolean allowOther;

    @Option(names = "--page-cache", description = MountLauncher.PAGE_CACHE_HELP)
    private boolean pageCache;

    @Option(names = {"-d", "--fuse-debug"}, description = "Print every FUSE request (implies --foreground); --debug"
            + " does too, as in sshfs, besides printing an error's stack trace.")
    private boolean fuseDebug;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image file.")
    private String image;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "An existing, empty directory.")
    private String mountPoint;

    @Override
    public Integer call() throws Exception {
        // open it here first: a missing or damaged image fails with the same line as in every other command
        OpenOptions openOptions = common().openOptions(format);
        Images.open(Path.of(image), openOptions).close();
        MountOptions options = MountOptions.defaults().withFileName(name).withForeground(foreground)
                .withAllowOther(allowOther).withDebug(fuseDebug || common().debug).withPageCache(pageCache);
        MountRequest request = new MountRequest(Path.of(image), Path.of(mountPoint), openOptions, options);
        Streams streams = streams();
        PrintStream out = new PrintStream(streams.out(), true, StandardCharsets.UTF_8);
        try (PrintStream err = new PrintStream(new PrefixedLines(streams.err(), "mount-qcow2: ", "qcow2: "), true,
                StandardCharsets.UTF_8)) {
            return MountLauncher.run(request, out, err);
        } finally {
            out.flush();
        }
    }

    @Override
    String subject() {
        return image;
    }
}
