package io.qcow4j.fuse;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The bytes of one read answer where they already lie, mostly in the {@link PieceCache}'s pieces, as the
 * {@code struct iovec} array {@link ReadReplies} writes the answer to {@code /dev/fuse} with: the answer's bytes are
 * not copied into libfuse's buffer first. The pieces it names are held in the cache (not replaced) until
 * {@link #release}. One per serving thread, reused request after request.
 */
final class PieceLoan {

    private static final ThreadLocal<PieceLoan> ON_THIS_THREAD = new ThreadLocal<>();
    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    /** struct iovec on LP64: void *iov_base; size_t iov_len. */
    static final int IOVEC = 16;

    /** iovec 0 is left for the answer's header; the bytes follow from iovec 1. */
    private final ByteBuffer iovecs;
    private final long iovecsAddress;
    private final PieceCache.Slot[] holds;
    private PieceCache cache;
    private int count;
    private long length;

    /** A loan of at most {@code segments} pieces of bytes. */
    PieceLoan(int segments) {
        this.iovecs = ByteBuffer.allocateDirect((segments + 1) * IOVEC).order(ByteOrder.nativeOrder());
        this.iovecsAddress = MEMORY.getDirectBufferAddress(iovecs);
        this.holds = new PieceCache.Slot[segments];
    }

    /** The loan this thread's read answers go into, or null where they are copied into libfuse's buffer. */
    static PieceLoan onThisThread() {
        return ON_THIS_THREAD.get();
    }

    /** Makes {@code loan} this thread's: its read answers are lent, not copied. */
    static void lendOnThisThread(PieceLoan loan) {
        ON_THIS_THREAD.set(loan);
    }

    /** The most segments it holds. */
    int capacity() {
        return holds.length;
    }

    /**
     * Adds {@code segmentLength} bytes at {@code address}, which stay put while {@code slot} (of {@code owner}; null
     * for memory that is not a cache's) is held; the loan holds it from now on.
     */
    void add(long address, int segmentLength, PieceCache owner, PieceCache.Slot slot) {
        if (count == holds.length) {
            throw new IllegalStateException("a loan holds at most " + holds.length + " segments");
        }
        if (slot != null) {
            cache = owner;
        }
        int at = (count + 1) * IOVEC;
        iovecs.putLong(at, address);
        iovecs.putLong(at + 8, segmentLength);
        holds[count++] = slot;
        length += segmentLength;
    }

    /** The segments lent so far. */
    int segments() {
        return count;
    }

    /** The bytes lent, in all. */
    long length() {
        return length;
    }

    /**
     * The iovec array to write: the answer's header ({@code headerLength} bytes at {@code headerAddress}) and then
     * the lent bytes; {@link #segments} + 1 entries.
     */
    long iovecs(long headerAddress, long headerLength) {
        iovecs.putLong(0, headerAddress);
        iovecs.putLong(8, headerLength);
        return iovecsAddress;
    }

    /** Hands the pieces back to the cache and empties the loan; nothing happens when it is empty. */
    void release() {
        if (count == 0) {
            return;
        }
        if (cache != null) {
            cache.release(holds, count);
        }
        Arrays.fill(holds, 0, count, null);
        cache = null;
        count = 0;
        length = 0;
    }
}
