package io.qcow4j.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/** The few libc calls the JDK does not offer: sparse-file queries and allocation size. */
public interface LibC {

    int O_RDONLY = 0;
    int SEEK_DATA = 3;
    int SEEK_HOLE = 4;
    /** Linux's {@code ENXIO}: no data (or hole) at or after the offset given to lseek. */
    int ENXIO = 6;

    int open(@In String path, int flags);

    long lseek(int fd, long offset, int whence);

    int close(int fd);

    int stat(@In String path, @Out Pointer buf);

    /** The loaded library, or null where libc cannot be bound (not Linux, no jnr natives). */
    static LibC get() {
        return Holder.LIBC;
    }

    final class Holder {
        static final LibC LIBC = load();

        private Holder() {
        }

        private static LibC load() {
            try {
                return LibraryLoader.create(LibC.class).failImmediately().load("c");
            } catch (Throwable e) {
                return null;
            }
        }
    }
}
