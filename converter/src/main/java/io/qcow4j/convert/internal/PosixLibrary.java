package io.qcow4j.convert.internal;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Binds {@link Posix} to libc once, on first use. */
public final class PosixLibrary {

    private static final Posix POSIX = load();

    private PosixLibrary() {
    }

    /** The bound library, or null where it cannot be bound (not Linux, no jnr natives): callers write zeros then. */
    public static Posix get() {
        return POSIX;
    }

    /** The calling thread's {@code errno} after its last call through {@code posix}. */
    public static int errno(Posix posix) {
        return LastError.getLastError(Runtime.getRuntime(posix));
    }

    private static Posix load() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return null;
        }
        try {
            return LibraryLoader.create(Posix.class).failImmediately().load("c");
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
