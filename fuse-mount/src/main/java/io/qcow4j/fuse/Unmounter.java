package io.qcow4j.fuse;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.qcow4j.nativeaccess.LibC;
import io.qcow4j.nativeaccess.NativeLibrary;

/**
 * Unmounts a FUSE mount wherever this runs. First with {@code fusermount -u} (libfuse 2's helper) or else
 * {@code fusermount3 -u} (libfuse 3's, which unmounts any FUSE mount): the helpers are setuid, so they work for a
 * user who is not root. When the file is still in use (EBUSY) the mount is detached lazily instead ({@code -z}), so
 * that it goes once the last user closes it. Where neither helper is installed, or for root when they fail, the
 * {@code umount2(2)} call does the same ({@code MNT_DETACH} for the lazy case). What cannot be unmounted is said by a
 * {@link MountException}, never left behind silently.
 */
final class Unmounter {

    private final HelperPrograms programs;
    private final boolean root;
    /** Null where libc cannot be called. */
    private final LibC libc;

    Unmounter(HelperPrograms programs, boolean root, LibC libc) {
        this.programs = programs;
        this.root = root;
        this.libc = libc;
    }

    /** This process's: its {@code PATH}, its user, libc through jffi. */
    static Unmounter system() {
        return new Unmounter(HelperPrograms.onPath(), ProcessIds.uid() == 0, LibC.get());
    }

    /**
     * Unmounts what is mounted on {@code mountPoint}, for cleaning up after a mount that failed to start; nothing
     * when nothing is mounted there.
     *
     * @throws MountException when it is still mounted after every way was tried
     */
    static void cleanUp(Path mountPoint) throws MountException {
        if (MountPoints.isMountPoint(resolved(mountPoint))) {
            system().unmount(mountPoint);
        }
    }

    /**
     * Unmounts {@code mountPoint}, lazily when it is busy.
     *
     * @throws MountException when nothing is mounted there, or when it is still mounted after every way was tried;
     *         the message says what each way answered
     */
    void unmount(Path mountPoint) throws MountException {
        Path point = resolved(mountPoint);
        if (!MountPoints.isMountPoint(point)) {
            throw new MountException("cannot unmount " + point + ": nothing is mounted there");
        }
        List<String> failures = new ArrayList<>();
        Optional<Path> helper = programs.find("fusermount").or(() -> programs.find("fusermount3"));
        if (helper.isPresent()) {
            // lazily only when the plain unmount failed, as umount -l after umount
            if (run(helper.get(), List.of("-u"), point, failures)
                    || run(helper.get(), List.of("-u", "-z"), point, failures)) {
                return;
            }
        } else {
            failures.add("neither fusermount nor fusermount3 is on the PATH");
        }
        if ((root || helper.isEmpty()) && umount2(point, failures)) {
            return;
        }
        if (!MountPoints.isMountPoint(point)) {
            // unmounted from outside meanwhile
            return;
        }
        throw new MountException("cannot unmount " + point + ": " + String.join("; ", failures));
    }

    /** The path as /proc/self/mountinfo names it; as given where it cannot be resolved (a mount whose server died). */
    private static Path resolved(Path mountPoint) {
        try {
            return mountPoint.toRealPath();
        } catch (IOException e) {
            return mountPoint.toAbsolutePath().normalize();
        }
    }

    /** Runs {@code helper options point}; whether it succeeded, else what it said goes to {@code failures}. */
    private static boolean run(Path helper, List<String> options, Path point, List<String> failures) {
        List<String> command = new ArrayList<>();
        command.add(helper.toString());
        command.addAll(options);
        command.add(point.toString());
        String said;
        int exit;
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            // the helpers say little, on standard error: reading it all before waiting cannot fill the pipe
            said = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            exit = process.waitFor();
        } catch (IOException e) {
            failures.add(String.join(" ", command) + ": " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.add(String.join(" ", command) + ": interrupted");
            return false;
        }
        if (exit == 0) {
            return true;
        }
        failures.add(helper.getFileName() + " " + String.join(" ", options) + " exited with " + exit
                + (said.isEmpty() ? "" : ": " + said.replace('\n', ' ')));
        return false;
    }

    /** {@code umount2(point, 0)}, then with {@code MNT_DETACH} when busy; whether it is unmounted. */
    private boolean umount2(Path point, List<String> failures) {
        if (libc == null) {
            Throwable why = LibC.failure();
            failures.add("umount2 cannot be called" + (why != null ? " (" + why + ")" : ""));
            return false;
        }
        String target = point.toString();
        if (libc.umount2(target, 0) == 0) {
            return true;
        }
        int errno = NativeLibrary.errno();
        if (errno == LibC.EBUSY) {
            if (libc.umount2(target, LibC.MNT_DETACH) == 0) {
                return true;
            }
            errno = NativeLibrary.errno();
        }
        failures.add("umount2: " + libc.strerror(errno) + (errno == LibC.EPERM ? " (only root may call it)" : ""));
        return false;
    }
}
