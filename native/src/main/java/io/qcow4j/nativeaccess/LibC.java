package io.qcow4j.nativeaccess;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;

import com.kenai.jffi.Type;

import io.qcow4j.nativeaccess.NativeLibrary.Function;
import io.qcow4j.spi.FileNames;

/**
 * Every libc call the project makes that the JDK does not offer: sparse-file queries and allocation size (the reader),
 * hole punching (the converter), writing answers to {@code /dev/fuse}, huge-page advice and unmounting (the mount).
 * Pointers are addresses ({@link NativeLibrary#address}); calls whose callers read {@code errno} save it for
 * {@link NativeLibrary#errno()}. Linux's numbers (x86_64 and arm64 share them).
 */
public final class LibC {

    /** {@code open(2)}: read only. */
    public static final int O_RDONLY = 0;
    /** {@code open(2)}: write only. */
    public static final int O_WRONLY = 1;
    /** {@code open(2)}: closed on exec. */
    public static final int O_CLOEXEC = 0x80000;

    /** {@code lseek(2)}: from the end of the file. */
    public static final int SEEK_END = 2;
    /** {@code lseek(2)}: to the next data at or after the offset. */
    public static final int SEEK_DATA = 3;
    /** {@code lseek(2)}: to the next hole at or after the offset. */
    public static final int SEEK_HOLE = 4;

    /** {@code fallocate(2)}: keep the file's size. */
    public static final int FALLOC_FL_KEEP_SIZE = 1;
    /** {@code fallocate(2)}: punch a hole (with {@link #FALLOC_FL_KEEP_SIZE}). */
    public static final int FALLOC_FL_PUNCH_HOLE = 2;

    /** {@code madvise(2)}: back the range with huge pages. */
    public static final int MADV_HUGEPAGE = 14;
    /** {@code madvise(2)}: collapse the range into huge pages now. */
    public static final int MADV_COLLAPSE = 25;

    /** umount2's flag for a lazy unmount: detached now, gone once nothing uses it. */
    public static final int MNT_DETACH = 2;

    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** No data (or hole) at or after the offset given to lseek. */
    public static final int ENXIO = 6;
    /** Device or resource busy. */
    public static final int EBUSY = 16;
    /** No such device. */
    public static final int ENODEV = 19;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** Function not implemented. */
    public static final int ENOSYS = 38;
    /** Operation not supported. */
    public static final int EOPNOTSUPP = 95;

    private final Function open;
    private final Function close;
    private final Function lseek;
    private final Function stat;
    private final Function fallocate;
    private final Function strerror;
    private final Function write;
    private final Function writev;
    private final Function madvise;
    private final Function umount2;

    private LibC(NativeLibrary libc) {
        this.open = libc.function("open", true, Type.SINT, Type.POINTER, Type.SINT);
        this.close = libc.function("close", false, Type.SINT, Type.SINT);
        this.lseek = libc.function("lseek", true, Type.SLONG, Type.SINT, Type.SLONG, Type.SINT);
        this.stat = libc.function("stat", false, Type.SINT, Type.POINTER, Type.POINTER);
        this.fallocate = libc.function("fallocate", true, Type.SINT, Type.SINT, Type.SINT, Type.SLONG, Type.SLONG);
        this.strerror = libc.function("strerror", false, Type.POINTER, Type.SINT);
        this.write = libc.function("write", true, Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
        this.writev = libc.function("writev", true, Type.SLONG, Type.SINT, Type.POINTER, Type.SINT);
        this.madvise = libc.function("madvise", false, Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
        this.umount2 = libc.function("umount2", true, Type.SINT, Type.POINTER, Type.SINT);
    }

    /**
     * The bound library, or null where libc cannot be bound (not Linux, or jffi's stub does not load): every caller
     * has a way without it.
     *
     * @return the library, or null
     */
    public static LibC get() {
        return Holder.LIBC;
    }

    /**
     * Why {@link #get()} is null; null when it is not.
     *
     * @return the failure, or null
     */
    public static Throwable failure() {
        return Holder.FAILURE;
    }

    /**
     * {@code open(2)}: a file descriptor, or -1 with {@link NativeLibrary#errno()} set.
     *
     * @param path the file
     * @param flags {@link #O_RDONLY} and the like
     * @return the descriptor, or -1
     */
    public int open(String path, int flags) {
        ByteBuffer name = cString(path);
        try {
            return (int) open.call(NativeLibrary.address(name), flags);
        } finally {
            Reference.reachabilityFence(name);
        }
    }

    /**
     * {@code close(2)}: 0, or -1 with {@link NativeLibrary#errno()} set.
     *
     * @param fd the descriptor
     * @return 0, or -1
     */
    public int close(int fd) {
        return (int) close.call(fd);
    }

    /**
     * {@code lseek(2)}: the new offset, or -1 with {@link NativeLibrary#errno()} set.
     *
     * @param fd the descriptor
     * @param offset the offset
     * @param whence {@link #SEEK_END} and the like
     * @return the offset, or -1
     */
    public long lseek(int fd, long offset, int whence) {
        return lseek.call(fd, offset, whence);
    }

    /**
     * {@code stat(2)} into {@code buf}, a direct buffer at least as large as {@code struct stat}.
     *
     * @param path the file
     * @param buf where {@code struct stat} goes
     * @return 0, or -1 with {@link NativeLibrary#errno()} set
     */
    public int stat(String path, ByteBuffer buf) {
        ByteBuffer name = cString(path);
        try {
            return (int) stat.call(NativeLibrary.address(name), NativeLibrary.address(buf));
        } finally {
            Reference.reachabilityFence(name);
            Reference.reachabilityFence(buf);
        }
    }

    /**
     * {@code fallocate(2)}: 0, or -1 with {@link NativeLibrary#errno()} set.
     *
     * @param fd the descriptor
     * @param mode {@link #FALLOC_FL_PUNCH_HOLE} and the like
     * @param offset the range's first byte
     * @param length the range's length
     * @return 0, or -1
     */
    public int fallocate(int fd, int mode, long offset, long length) {
        return (int) fallocate.call(fd, mode, offset, length);
    }

    /**
     * {@code strerror(3)}: the system's text for {@code errno}, such as "No space left on device".
     *
     * @param errno an error number
     * @return its text
     */
    public String strerror(int errno) {
        return NativeLibrary.string(strerror.call(errno), FileNames.CHARSET);
    }

    /**
     * {@code write(2)} of {@code count} bytes at {@code address}: the bytes written, or -1 with errno set.
     *
     * @param fd the descriptor
     * @param address where the bytes are
     * @param count how many
     * @return the bytes written, or -1
     */
    public long write(int fd, long address, long count) {
        return write.call(fd, address, count);
    }

    /**
     * {@code writev(2)} of the {@code count} iovecs at {@code iov}: the bytes written, or -1 with errno set.
     *
     * @param fd the descriptor
     * @param iov where the {@code struct iovec}s are
     * @param count how many
     * @return the bytes written, or -1
     */
    public long writev(int fd, long iov, int count) {
        return writev.call(fd, iov, count);
    }

    /**
     * {@code madvise(2)}: 0, or -1 where the kernel does not take the advice.
     *
     * @param address the range's first byte, page aligned
     * @param length the range's length
     * @param advice {@link #MADV_HUGEPAGE} and the like
     * @return 0, or -1
     */
    public int madvise(long address, long length, int advice) {
        return (int) madvise.call(address, length, advice);
    }

    /**
     * {@code umount2(2)}: 0, or -1 with {@link NativeLibrary#errno()} set ({@link #EPERM} unless root).
     *
     * @param target the mount point
     * @param flags {@link #MNT_DETACH} or 0
     * @return 0, or -1
     */
    public int umount2(String target, int flags) {
        ByteBuffer name = cString(target);
        try {
            return (int) umount2.call(NativeLibrary.address(name), flags);
        } finally {
            Reference.reachabilityFence(name);
        }
    }

    /** A path as the C library wants it: in the encoding the JDK itself uses for file names, NUL-terminated. */
    private static ByteBuffer cString(String value) {
        byte[] bytes = value.getBytes(FileNames.CHARSET);
        return ByteBuffer.allocateDirect(bytes.length + 1).put(bytes).put((byte) 0);
    }

    private static final class Holder {
        static final Throwable FAILURE;
        static final LibC LIBC;

        static {
            LibC libc = null;
            Throwable failure = null;
            try {
                libc = new LibC(NativeLibrary.open("libc.so.6"));
            } catch (LinkageError | RuntimeException e) {
                failure = e;
            }
            LIBC = libc;
            FAILURE = failure;
        }

        private Holder() {
        }
    }
}
