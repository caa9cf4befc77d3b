package io.qcow4j.fuse;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

import io.qcow4j.nativeaccess.LibC;

/**
 * Lets the kernel send reads of up to 1 MiB in one request. libfuse 2 predates {@code FUSE_MAX_PAGES} (Linux 4.20), so
 * its answer to the kernel's {@code FUSE_INIT} leaves the kernel at 32 pages (128 KiB) a request. libfuse sends that
 * answer through the channel it was handed; {@link FuseLoop} hands it the channel made here, whose send adds the flag
 * and the page count before writing the answer to {@code /dev/fuse}. A kernel that does not know the flag ignores it.
 */
final class LargeRequests {

    /** Pages per request: 1 MiB, what {@code dd bs=1M} and the page cache's large reads ask for at once. */
    static final int MAX_PAGES = 256;
    /** The opcode of the kernel's first request. */
    static final int FUSE_INIT = 26;

    private static final long FUSE_MAX_PAGES = 1L << 22;
    /** Says that flags2 holds the upper 32 bits of the flags. */
    private static final long FUSE_INIT_EXT = 1L << 30;
    /** Lets a file opened for direct I/O be mapped shared ({@code FileChannel.map} maps so), Linux 6.6 on. */
    private static final long FUSE_DIRECT_IO_ALLOW_MMAP = 1L << 36;
    /** struct fuse_out_header: uint32 len; int32 error; uint64 unique. */
    private static final int OUT_HEADER = 16;
    /** What libfuse 2.9 writes of struct fuse_init_out (up to max_write), and where its fields lie. */
    private static final int LIBFUSE_INIT_OUT = 24;
    private static final int FLAGS = 12;
    private static final int MAX_PAGES_FIELD = 28;
    private static final int FLAGS2 = 32;
    /** struct fuse_init_out as kernels since 5.x read it; the fields libfuse does not know stay zero. */
    private static final int INIT_OUT = 64;
    /** struct iovec on LP64. */
    private static final int IOVEC = 16;

    private static final int EIO = 5;

    /** struct fuse_in_header is 40 bytes; struct fuse_init_in follows: major, minor, max_readahead, flags, flags2. */
    private static final int IN_MINOR = 44;
    private static final int IN_FLAGS = 52;
    private static final int IN_FLAGS2 = 56;
    /** The protocol minor from which the kernel reads max_pages and a 64-byte fuse_init_out (Linux 4.20). */
    private static final int MINOR_MAX_PAGES = 28;
    /** The protocol minor from which the kernel sends flags2 (Linux 5.17). */
    private static final int MINOR_FLAGS2 = 36;

    private final Runtime runtime = Runtime.getSystemRuntime();
    private final LibC libc;
    private final Runnable directIoMappable;
    /** What the kernel offered in its FUSE_INIT request, read before libfuse answers it. */
    private volatile int kernelMinor;
    private volatile long kernelFlags;
    private final OwnChannel channel;

    private LargeRequests(LibC libc, Pointer deviceChannel, long bufferSize, Runnable directIoMappable) {
        this.libc = libc;
        this.directIoMappable = directIoMappable;
        this.channel = OwnChannel.on(deviceChannel, bufferSize, this::send);
    }

    /**
     * A channel for libfuse's answer to {@code FUSE_INIT} on the device {@code deviceChannel} reads from; null when
     * libfuse or libc do not offer the calls, and the kernel keeps its 128 KiB. {@code directIoMappable} runs (before
     * the answer goes out) when the kernel lets a file opened for direct I/O be mapped shared.
     */
    static LargeRequests on(Pointer deviceChannel, long bufferSize, Runnable directIoMappable) {
        LibC libc = LibC.get();
        if (libc == null) {
            return null;
        }
        // OwnChannel answers null where libfuse's calls do not bind
        LargeRequests requests = new LargeRequests(libc, deviceChannel, bufferSize, directIoMappable);
        return requests.channel == null ? null : requests;
    }

    /** Whether the request in {@code buffer} (a struct fuse_in_header first) is the kernel's {@code FUSE_INIT}. */
    static boolean isInit(Pointer buffer) {
        return buffer.getInt(4) == FUSE_INIT;
    }

    /** Reads what the kernel offers in the {@code FUSE_INIT} request in {@code buffer}, before libfuse answers it. */
    void offered(Pointer buffer) {
        long requestLength = Integer.toUnsignedLong(buffer.getInt(0));
        int minor = requestLength >= IN_FLAGS + 4 ? buffer.getInt(IN_MINOR) : 0;
        long flags = minor > 0 ? Integer.toUnsignedLong(buffer.getInt(IN_FLAGS)) : 0;
        if (minor >= MINOR_FLAGS2 && (flags & FUSE_INIT_EXT) != 0 && requestLength >= IN_FLAGS2 + 4) {
            flags |= Integer.toUnsignedLong(buffer.getInt(IN_FLAGS2)) << 32;
        }
        kernelFlags = flags;
        kernelMinor = minor;
    }

    /** The channel to process {@code FUSE_INIT} with, once {@link #offered} has read the request. */
    Pointer channel() {
        return channel.pointer();
    }

    private int send(Pointer ignored, Pointer iov, long count) {
        int length = 0;
        for (int i = 0; i < count; i++) {
            length += (int) iov.getLong(i * IOVEC + runtime.addressSize());
        }
        Pointer message = Memory.allocateDirect(runtime, Math.max(length, OUT_HEADER + INIT_OUT), true);
        int at = 0;
        for (int i = 0; i < count; i++) {
            int part = (int) iov.getLong(i * IOVEC + runtime.addressSize());
            message.transferFrom(at, iov.getPointer((long) i * IOVEC), 0, part);
            at += part;
        }
        int sent = length;
        try {
            sent = patch(message, length);
        } catch (RuntimeException | LinkageError e) {
            // libfuse's own answer, unchanged, is better than none: the kernel waits for it
        }
        return libc.write(channel.fd(), message.address(), sent) == sent ? 0 : -EIO;
    }

    /**
     * Adds what the kernel offered and libfuse 2 does not know to the successful answer in {@code message};
     * returns its new length. A kernel older than 4.20 gets libfuse's answer as it is: it would refuse a longer one.
     */
    private int patch(Pointer message, int length) {
        if (message.getInt(4) != 0 || length != OUT_HEADER + LIBFUSE_INIT_OUT || kernelMinor < MINOR_MAX_PAGES) {
            return length;
        }
        long added = (kernelFlags & FUSE_MAX_PAGES) != 0 ? FUSE_MAX_PAGES : 0;
        boolean mappable = (kernelFlags & FUSE_DIRECT_IO_ALLOW_MMAP) != 0;
        if (mappable) {
            added |= FUSE_INIT_EXT;
            message.putInt(OUT_HEADER + FLAGS2, (int) (FUSE_DIRECT_IO_ALLOW_MMAP >>> 32));
        }
        int flags = OUT_HEADER + FLAGS;
        message.putInt(flags, (int) (message.getInt(flags) | added));
        message.putShort(OUT_HEADER + MAX_PAGES_FIELD, (short) MAX_PAGES);
        message.putInt(0, OUT_HEADER + INIT_OUT);
        if (mappable) {
            directIoMappable.run();
        }
        return OUT_HEADER + INIT_OUT;
    }
}
