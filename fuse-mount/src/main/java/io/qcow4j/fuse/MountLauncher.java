package io.qcow4j.fuse;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import io.qcow4j.Image;
import io.qcow4j.Images;

/**
 * The user-facing {@code mount IMAGE MOUNTPOINT} command, as {@code bin/mount-qcow2} and {@code bin/qcow2 mount} run
 * it. Behaves like other FUSE tools (sshfs, guestmount):
 * <ul>
 *   <li>by default it returns once the raw file is readable, and a background process keeps serving it until
 *       {@code fusermount -u MOUNTPOINT} or {@code umount MOUNTPOINT};</li>
 *   <li>with {@code -f} (or {@code --debug}) it serves from the calling process and returns when unmounted, by those
 *       commands or by Ctrl-C / SIGTERM;</li>
 *   <li>a mount that cannot start prints one line on standard error and returns 1, leaving nothing mounted.</li>
 * </ul>
 * Exit codes: 0 mounted (or unmounted cleanly in the foreground), 1 the mount failed, 2 a usage error.
 */
public final class MountLauncher {

    /** Help for {@code --allow-other}, with the caveat users hit. */
    public static final String ALLOW_OTHER_HELP = "let other users read the file (FUSE allow_other); unless you are "
            + "root, /etc/fuse.conf must contain the line user_allow_other";

    /** Help for {@code --page-cache}: when to choose it. */
    public static final String PAGE_CACHE_HELP = "serve through the kernel's page cache: faster for tools reading in "
            + "small blocks (dd's default 512 bytes, e2fsck), slower for large sequential reads";

    /** The options, one per line, for a command's help. */
    public static final String OPTIONS_HELP = String.join("\n",
            "  -n, --name NAME          name of the raw file inside MOUNTPOINT (default: the image's name with .raw)",
            "  -f, --foreground         stay in the foreground; Ctrl-C or SIGTERM unmounts",
            "      --allow-other        " + ALLOW_OTHER_HELP,
            "      --page-cache         " + PAGE_CACHE_HELP,
            "  -d, --debug              print every FUSE request (implies -f)",
            "      --safe               refuse images that refer to other files (backing or data files)",
            "      --format FORMAT      the image format (qcow2, raw); default: probe the file",
            "      --l2-cache-size SIZE L2 table cache per image, e.g. 8M (default), 32M",
            "  -l, --snapshot ID        serve an internal snapshot instead of the active disk",
            "  -h, --help               show this help");

    private MountLauncher() {
    }

    /** Usage text for a command named {@code command} (such as {@code mount-qcow2}). */
    public static String usage(String command) {
        return "Usage: " + command + " [options] IMAGE MOUNTPOINT\n"
                + "Serves IMAGE (qcow2, raw, ...) as a read-only raw file inside the directory MOUNTPOINT.\n"
                + "Unmount with: fusermount -u MOUNTPOINT\n\n" + OPTIONS_HELP + "\n";
    }

    /** Parses {@code args} (as {@link #usage} describes them) and runs the request; returns the exit code. */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        MountArguments.Parsed parsed;
        try {
            parsed = MountArguments.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("mount-qcow2: " + e.getMessage());
            err.print(usage("mount-qcow2"));
            return 2;
        }
        if (parsed.help()) {
            out.print(usage("mount-qcow2"));
            return 0;
        }
        if (parsed.reportReady()) {
            return new ForegroundMount(parsed.request(), out, err, true).run();
        }
        return run(parsed.request(), out, err);
    }

    /**
     * Runs a parsed request: in the background unless {@link MountOptions#foreground()} or
     * {@link MountOptions#debug()}; error lines go to {@link System#err}. Returns the exit code.
     */
    public static int run(MountRequest request) {
        return run(request, System.out, System.err);
    }

    /** As {@link #run(MountRequest)}, with the streams to use. */
    public static int run(MountRequest request, PrintStream out, PrintStream err) {
        MountOptions options = request.mountOptions();
        if (options.foreground() || options.debug()) {
            return new ForegroundMount(request, out, err, false).run();
        }
        return new BackgroundMount(request, err).run();
    }

    /** Opens the image as the request says, with a one-line message when it cannot be. */
    static Image open(MountRequest request) throws MountException {
        Path image = request.image();
        try {
            return Images.open(image, request.openOptions());
        } catch (IOException e) {
            throw new MountException("cannot open " + image + ": " + describe(e), e);
        } catch (RuntimeException e) {
            throw new MountException("cannot open " + image + ": " + e, e);
        }
    }

    static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
