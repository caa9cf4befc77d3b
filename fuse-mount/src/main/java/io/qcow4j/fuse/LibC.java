package io.qcow4j.fuse;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/** The libc calls the mount makes itself, bound once: {@link #CALLS}, null where they do not bind. */
final class LibC {

    /** The calls; errno is saved for {@code jnr.ffi.LastError}. */
    public interface Calls {
        @ssize_t long write(int fd, Pointer buf, @size_t long count);

        /** {@code writev}, its iovec array passed by address. */
        @ssize_t long writev(int fd, long iov, int count);

        int madvise(Pointer address, @size_t long length, int advice);
    }

    static final Calls CALLS = load();

    private LibC() {
    }

    private static Calls load() {
        try {
            return LibraryLoader.create(Calls.class).failImmediately().load("c");
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }
}
