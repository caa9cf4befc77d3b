package io.qcow4j.fuse;

import jnr.ffi.Pointer;

import io.qcow4j.nativeaccess.LibC;
import io.qcow4j.nativeaccess.NativeLibrary;

/**
 * Sends read answers from where their bytes lie. libfuse 2 hands the file system's {@code read} a buffer of its own
 * and writes that buffer to {@code /dev/fuse}: the bytes would be copied once into it and once more by the kernel, to
 * the reader. Here {@link RawFileFs#read} lends the pieces of the {@link PieceCache} instead ({@link PieceLoan}), and
 * the channel made here, which {@link FuseLoop} processes read requests with, writes the answer's header and those
 * pieces to the device in one {@code writev}, then hands the pieces back: the kernel's copy is the only one.
 */
final class ReadReplies {

    /** The opcode of a read request. */
    static final int FUSE_READ = 15;
    private static final int IOVEC = PieceLoan.IOVEC;

    private final LibC libc;
    private final OwnChannel channel;
    /** The most segments one answer may lend: the largest request the kernel may send, in the smallest pieces. */
    private final int segments;

    private ReadReplies(LibC libc, Pointer deviceChannel, long bufferSize, int largestRequest) {
        this.libc = libc;
        this.segments = largestRequest / PieceCache.MIN_PIECE + 2;
        this.channel = OwnChannel.on(deviceChannel, bufferSize, this::send);
    }

    /**
     * Answers for the device {@code deviceChannel} reads from, for requests of up to {@code largestRequest} bytes;
     * null when libfuse or libc do not offer the calls, and answers are copied into libfuse's buffer as before.
     */
    static ReadReplies on(Pointer deviceChannel, long bufferSize, int largestRequest) {
        LibC libc = LibC.get();
        if (libc == null) {
            return null;
        }
        // OwnChannel answers null where libfuse's calls do not bind
        ReadReplies replies = new ReadReplies(libc, deviceChannel, bufferSize, largestRequest);
        return replies.channel == null ? null : replies;
    }

    /** Whether the request in {@code buffer} (a struct fuse_in_header first) is a read. */
    static boolean isRead(Pointer buffer) {
        return buffer.getInt(4) == FUSE_READ;
    }

    /** A loan for a serving thread to answer its reads with (see {@link PieceLoan#lendOnThisThread}). */
    PieceLoan newLoan() {
        return new PieceLoan(segments);
    }

    /** The channel to process read requests with. */
    Pointer channel() {
        return channel.pointer();
    }

    /**
     * Writes libfuse's answer: its header and the lent bytes when the answer is the data of the read this thread
     * lent them for (two parts, the second as long as the loan), else what libfuse wrote, as its own channel does.
     */
    private int send(Pointer ignored, Pointer iov, long count) {
        PieceLoan loan = PieceLoan.onThisThread();
        try {
            long written;
            if (loan != null && loan.segments() > 0 && count == 2 && iov.getLong(IOVEC + 8) == loan.length()) {
                long iovecs = loan.iovecs(iov.getAddress(0), iov.getLong(8));
                written = libc.writev(channel.fd(), iovecs, loan.segments() + 1);
            } else {
                written = libc.writev(channel.fd(), iov.address(), (int) count);
            }
            // ENOENT among the errors: the request was interrupted, and the kernel no longer waits for an answer
            return written < 0 ? -NativeLibrary.errno() : 0;
        } finally {
            if (loan != null) {
                loan.release();
            }
        }
    }
}
