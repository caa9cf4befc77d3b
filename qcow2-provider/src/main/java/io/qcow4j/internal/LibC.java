package io.qcow4j.internal;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;

import com.kenai.jffi.Type;

import io.qcow4j.internal.NativeLibrary.Function;
import io.qcow4j.spi.FileNames;

/** The few libc calls the JDK does not offer: sparse-file queries and allocation size. */
public final class LibC {

    public static final int O_RDONLY = 0;
    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;
    /** Linux's {@code ENXIO}: no data (or hole) at or after the offset given to lseek. */
    public static final int ENXIO = 6;

    private final Function open;
    private final Function lseek;
    private final Function close;
    private final Function stat;

    private LibC(NativeLibrary libc) {
        this.open = libc.function("open", true, Type.SINT, Type.POINTER, Type.SINT);
        this.lseek = libc.function("lseek", true, Type.SLONG, Type.SINT, Type.SLONG, Type.SINT);
        this.close = libc.function("close", true, Type.SINT, Type.SINT);
        this.stat = libc.function("stat", true, Type.SINT, Type.POINTER, Type.POINTER);
    }

    /** The loaded library, or null where libc cannot be bound (not Linux, no jffi natives). */
    public static LibC get() {
        return Holder.LIBC;
    }

    /** {@code open(2)}: a file descriptor, or -1 with {@link NativeLibrary#errno()} set. */
    public int open(String path, int flags) {
        ByteBuffer name = cString(path);
        try {
            return (int) open.call(NativeLibrary.address(name), flags);
        } finally {
            Reference.reachabilityFence(name);
        }
    }

    /** {@code lseek(2)}: the new offset, or -1 with {@link NativeLibrary#errno()} set. */
    public long lseek(int fd, long offset, int whence) {
        return lseek.call(fd, offset, whence);
    }

    public int close(int fd) {
        return (int) close.call(fd);
    }

    /** {@code stat(2)} into {@code buf}, a direct buffer at least as large as {@code struct stat}. */
    public int stat(String path, ByteBuffer buf) {
        ByteBuffer name = cString(path);
        try {
            return (int) stat.call(NativeLibrary.address(name), NativeLibrary.address(buf));
        } finally {
            Reference.reachabilityFence(name);
            Reference.reachabilityFence(buf);
        }
    }

    /** A path as the C library wants it: in the encoding the JDK itself uses for file names, NUL-terminated. */
    private static ByteBuffer cString(String value) {
        byte[] bytes = value.getBytes(FileNames.CHARSET);
        return ByteBuffer.allocateDirect(bytes.length + 1).put(bytes).put((byte) 0);
    }

    private static final class Holder {
        static final LibC LIBC = load();

        private Holder() {
        }

        private static LibC load() {
            try {
                return new LibC(NativeLibrary.open("libc.so.6"));
            } catch (LinkageError | RuntimeException e) {
                return null;
            }
        }
    }
}
