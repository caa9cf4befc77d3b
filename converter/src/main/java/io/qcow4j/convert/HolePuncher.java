package io.qcow4j.convert;

import java.io.IOException;
import java.nio.file.Path;

import io.qcow4j.nativeaccess.LibC;
import io.qcow4j.nativeaccess.NativeLibrary;

/**
 * Makes ranges of an existing target read as zero without writing them: {@code fallocate(PUNCH_HOLE | KEEP_SIZE)},
 * which frees a file's blocks, and on a block device discards them where the device guarantees zeros afterwards.
 * It works on its own file descriptor, because a {@link java.nio.channels.FileChannel} does not expose its own.
 * Once the call turns out to be unsupported it is not tried again, and the caller writes zeros instead; so it is
 * where libc cannot be called at all (jffi's stub not loadable).
 */
final class HolePuncher implements AutoCloseable {

    private final LibC libc;
    private final int fd;
    private volatile boolean supported;

    private HolePuncher(LibC libc, int fd) {
        this.libc = libc;
        this.fd = fd;
        this.supported = fd >= 0;
    }

    /** A puncher for {@code path}; one that never punches where libc or the file cannot be opened. */
    static HolePuncher open(Path path) {
        return open(path, LibC.get());
    }

    /** A puncher for {@code path} through {@code libc}; with a null one, a puncher that never punches. */
    static HolePuncher open(Path path, LibC libc) {
        if (libc == null) {
            return new HolePuncher(null, -1);
        }
        int fd = libc.open(path.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC);
        return new HolePuncher(libc, fd);
    }

    /**
     * Punches a hole over {@code [offset, offset + length)}.
     *
     * @return false when holes cannot be punched in this file: the caller must write zeros
     * @throws IOException when the call fails for another reason (an I/O error)
     */
    boolean punch(long offset, long length) throws IOException {
        if (!supported) {
            return false;
        }
        while (true) {
            if (libc.fallocate(fd, LibC.FALLOC_FL_PUNCH_HOLE | LibC.FALLOC_FL_KEEP_SIZE, offset, length) == 0) {
                return true;
            }
            int errno = NativeLibrary.errno();
            if (errno == LibC.EINTR) {
                continue;
            }
            if (cannotPunch(errno)) {
                supported = false;
                return false;
            }
            throw new IOException(libc.strerror(errno) + " (fallocate punching a hole)");
        }
    }

    /** Errors that mean "this file cannot have holes punched", not "this range failed". */
    private static boolean cannotPunch(int errno) {
        return errno == LibC.EOPNOTSUPP || errno == LibC.ENOSYS || errno == LibC.EINVAL || errno == LibC.ENODEV
                || errno == LibC.EPERM;
    }

    /** The size of the file or device, or -1 when it cannot be asked. */
    long size() {
        return fd < 0 ? -1 : libc.lseek(fd, 0, LibC.SEEK_END);
    }

    @Override
    public void close() {
        if (fd >= 0) {
            libc.close(fd);
        }
    }
}
