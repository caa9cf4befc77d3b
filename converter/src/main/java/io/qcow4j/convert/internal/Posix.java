package io.qcow4j.convert.internal;

import jnr.ffi.annotations.In;

/**
 * The libc calls the JDK does not offer: {@code fallocate} to punch holes, and {@code lseek} to size a block device.
 * Bound with jnr-ffi by {@link PosixLibrary}. Public only because jnr-ffi implements it from another class loader;
 * not part of the API. Only native calls here: jnr-ffi would try to bind a static method too.
 */
public interface Posix {

    int O_WRONLY = 1;
    int O_CLOEXEC = 0x80000;
    int SEEK_END = 2;
    int FALLOC_FL_KEEP_SIZE = 1;
    int FALLOC_FL_PUNCH_HOLE = 2;
    int EINTR = 4;

    int open(@In String path, int flags);

    int close(int fd);

    int fallocate(int fd, int mode, long offset, long length);

    long lseek(int fd, long offset, int whence);

    String strerror(int errno);
}
