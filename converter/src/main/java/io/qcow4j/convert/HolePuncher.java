package io.qcow4j.convert;

import java.io.IOException;
import java.nio.file.Path;

import io.qcow4j.convert.internal.Posix;
import io.qcow4j.convert.internal.PosixLibrary;

/**
 * Makes ranges of an existing target read as zero without writing them: {@code fallocate(PUNCH_HOLE | KEEP_SIZE)},
 * which frees a file's blocks, and on a block device discards them where the device guarantees zeros afterwards.
 * It works on its own file descriptor, because a {@link java.nio.channels.FileChannel} does not expose its own.
 * Once the call turns out to be unsupported it is not tried again, and the caller writes zeros instead.
 */
final class HolePuncher implements AutoCloseable {

    /** Errors that mean "this file cannot have holes punched", not "this range failed". */
    private static final int EPERM = 1;
    private static final int ENODEV = 19;
    private static final int EINVAL = 22;
    private static final int ENOSYS = 38;
    private static final int EOPNOTSUPP = 95;

    private final Posix posix;
    private final int fd;
    private volatile boolean supported;

    private HolePuncher(Posix posix, int fd) {
        this.posix = posix;
        this.fd = fd;
        this.supported = fd >= 0;
    }

    /** A puncher for {@code path}; one that never punches where libc or the file cannot be opened. */
    static HolePuncher open(Path path) {
        Posix posix = PosixLibrary.get();
        if (posix == null) {
            return new HolePuncher(null, -1);
        }
        int fd = posix.open(path.toString(), Posix.O_WRONLY | Posix.O_CLOEXEC);
        return new HolePuncher(posix, fd);
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
            if (posix.fallocate(fd, Posix.FALLOC_FL_PUNCH_HOLE | Posix.FALLOC_FL_KEEP_SIZE, offset, length) == 0) {
                return true;
            }
            int errno = PosixLibrary.errno(posix);
            if (errno == Posix.EINTR) {
                continue;
            }
            if (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL || errno == ENODEV || errno == EPERM) {
                supported = false;
                return false;
            }
            throw new IOException(posix.strerror(errno) + " (fallocate punching a hole)");
        }
    }

    /** The size of the file or device, or -1 when it cannot be asked. */
    long size() {
        return fd < 0 ? -1 : posix.lseek(fd, 0, Posix.SEEK_END);
    }

    @Override
    public void close() {
        if (fd >= 0) {
            posix.close(fd);
        }
    }
}
