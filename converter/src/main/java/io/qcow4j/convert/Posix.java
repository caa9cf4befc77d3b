package io.qcow4j.convert;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;

/**
 * The libc calls the JDK does not offer: {@code fallocate} to punch holes, and {@code lseek} to size a block device.
 * Bound with jnr-ffi; {@link #get()} is null where libc cannot be bound, and callers then write zeros instead.
 */
interface Posix {

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

    /** The bound library, or null where it cannot be bound (not Linux, no jnr natives). */
    static Posix get() {
        return Holder.POSIX;
    }

    /** The calling thread's {@code errno} after the last call through {@code posix}. */
    static int errno(Posix posix) {
        return LastError.getLastError(Runtime.getRuntime(posix));
    }

    /** Loads libc once, on first use. */
    final class Holder {
        static final Posix POSIX = load();

        private Holder() {
        }

        private static Posix load() {
            if (!System.getProperty("os.name", "").startsWith("Linux")) {
                return null;
            }
            try {
                return LibraryLoader.create(Posix.class).failImmediately().load("c");
            } catch (Throwable e) {
                // no libc binding: hole punching falls back to writing zeros
                return null;
            }
        }
    }
}
