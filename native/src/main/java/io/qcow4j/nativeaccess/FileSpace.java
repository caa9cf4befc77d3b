package io.qcow4j.nativeaccess;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * A file's blocks reserved or given back without writing them: {@code fallocate(2)}, on a descriptor of its own
 * because a {@link java.nio.channels.FileChannel} does not expose its own. Where libc cannot be called (jffi's stub
 * not loadable), the file cannot be opened or its file system does not support the call, every call answers false
 * from then on and the caller writes zeros instead.
 */
public final class FileSpace implements AutoCloseable {

    private final Path path;
    private final LibC libc;
    private final int fd;
    private volatile boolean supported;

    private FileSpace(Path path, LibC libc, int fd) {
        this.path = path;
        this.libc = libc;
        this.fd = fd;
        this.supported = fd >= 0;
    }

    /** The space of {@code path}; one whose calls all answer false where libc or the file cannot be opened. */
    public static FileSpace open(Path path) {
        return open(path, LibC.get());
    }

    /** As {@link #open(Path)}, through {@code libc}; with a null one, calls all answer false. */
    public static FileSpace open(Path path, LibC libc) {
        int fd = libc == null ? -1 : libc.open(path.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC);
        return new FileSpace(path, libc, fd);
    }

    /**
     * Gives {@code [offset, offset + length)} its blocks, reading as zeros where they are new.
     *
     * @return false when space cannot be reserved in this file: the caller writes zeros
     * @throws FileSystemException when the call fails for another reason (no space left, an I/O error)
     */
    public boolean reserve(long offset, long length) throws IOException {
        return fallocate(0, offset, length, "reserving space");
    }

    /**
     * Frees the blocks of {@code [offset, offset + length)}, which then read as zeros; the file keeps its size. On a
     * block device the range is discarded where the device guarantees zeros afterwards.
     *
     * @return false when holes cannot be punched in this file: the caller writes zeros
     * @throws FileSystemException when the call fails for another reason (an I/O error)
     */
    public boolean punchHole(long offset, long length) throws IOException {
        return fallocate(LibC.FALLOC_FL_PUNCH_HOLE | LibC.FALLOC_FL_KEEP_SIZE, offset, length, "punching a hole");
    }

    private boolean fallocate(int mode, long offset, long length, String what) throws IOException {
        if (!supported) {
            return false;
        }
        while (libc.fallocate(fd, mode, offset, length) != 0) {
            int errno = NativeLibrary.errno();
            if (errno == LibC.EINTR) {
                continue;
            }
            if (unsupported(errno)) {
                supported = false;
                return false;
            }
            throw new FileSystemException(path.toString(), null, libc.strerror(errno) + " (fallocate " + what
                    + " of " + length + " bytes at offset " + offset + ")");
        }
        return true;
    }

    /** Errors that mean "this file cannot do that", not "this range failed". */
    private static boolean unsupported(int errno) {
        return errno == LibC.EOPNOTSUPP || errno == LibC.ENOSYS || errno == LibC.EINVAL || errno == LibC.ENODEV
                || errno == LibC.EPERM;
    }

    /** The size of the file or device, or -1 when it cannot be asked. */
    public long size() {
        return fd < 0 ? -1 : libc.lseek(fd, 0, LibC.SEEK_END);
    }

    @Override
    public void close() {
        if (fd >= 0) {
            libc.close(fd);
        }
    }
}
