package io.qcow4j.nativeaccess;

import java.io.Closeable;
import java.nio.file.Path;


/**
 * Finds the data and the holes of a sparse file with {@code lseek(SEEK_DATA / SEEK_HOLE)}. Where the platform cannot
 * answer (libc or jffi unavailable, the file not openable), the whole file is reported as data, which is always
 * correct, only slower to copy.
 */
public final class SparseFileMap implements Closeable {

    private final LibC libc;
    private final int fd;

    private SparseFileMap(LibC libc, int fd) {
        this.libc = libc;
        this.fd = fd;
    }

    public static SparseFileMap open(Path path) {
        return open(path, LibC.get());
    }

    /** The map of {@code path} through {@code libc}; with a null one, the map of a file that is all data. */
    static SparseFileMap open(Path path, LibC libc) {
        if (libc == null) {
            return new SparseFileMap(null, -1);
        }
        int fd = libc.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        return new SparseFileMap(fd < 0 ? null : libc, fd);
    }

    /** A run of the file: data up to {@code end}, or a hole up to it. */
    public record Run(long end, boolean hole) {
    }

    /**
     * The run that starts at {@code offset}, which must be below {@code fileSize}. A file system that cannot tell
     * holes reports one data run to the end.
     */
    public Run runAt(long offset, long fileSize) {
        if (libc == null) {
            return new Run(fileSize, false);
        }
        long data = libc.lseek(fd, offset, LibC.SEEK_DATA);
        if (data < 0) {
            int errno = NativeLibrary.errno();
            return new Run(fileSize, errno == LibC.ENXIO);
        }
        if (data > offset) {
            return new Run(Math.min(data, fileSize), true);
        }
        long hole = libc.lseek(fd, offset, LibC.SEEK_HOLE);
        return new Run(hole <= offset ? fileSize : Math.min(hole, fileSize), false);
    }

    @Override
    public void close() {
        if (libc != null) {
            libc.close(fd);
        }
    }
}
