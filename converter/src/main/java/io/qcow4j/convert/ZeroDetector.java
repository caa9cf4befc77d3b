package io.qcow4j.convert;

import java.nio.ByteBuffer;

/**
 * Splits a buffer of data read from the source into runs that are zero and runs that are not, in blocks of the
 * zero detection granularity aligned to guest offsets (so that holes line up with the target's file system blocks).
 * The comparisons are {@link ByteBuffer#mismatch}, which the JDK vectorises, between views kept from one call to
 * the next: a slice per block was a million short-lived buffers per GiB, and young collections that stopped every
 * worker. One detector per worker: the views make it unsafe to share.
 */
final class ZeroDetector {

    private final int granularity;
    private final ByteBuffer zeros;
    /** The buffer last scanned, and a view of it whose position and limit frame each comparison. */
    private ByteBuffer scanned;
    private ByteBuffer view;

    /**
     * @param granularity the block size, greater than 0
     * @param zeros       at least as many zero bytes as the largest buffer scanned; only read, through duplicates
     */
    ZeroDetector(int granularity, ByteBuffer zeros) {
        this.granularity = granularity;
        this.zeros = zeros.duplicate();
    }

    /**
     * Whether the block that starts at {@code from} is all zeros.
     *
     * @param buffer the data, from index 0 to its limit
     * @param from   an index below the limit, at a block boundary or at 0
     * @param guest  the guest offset of index 0
     */
    boolean startsZero(ByteBuffer buffer, int from, long guest) {
        return isZero(buffer, from, blockEnd(from, buffer.limit(), guest));
    }

    /** The end of the run of zero blocks that starts at {@code from}, where {@link #startsZero} holds. */
    int zeroRunEnd(ByteBuffer buffer, int from, long guest) {
        int limit = buffer.limit();
        int first = blockEnd(from, limit, guest);
        // one comparison over the rest of the buffer finds where the zeros stop
        int nonZero = firstNonZero(buffer, first, limit);
        return nonZero == limit ? limit : Math.max(first, blockStart(nonZero, guest));
    }

    /** The end of the run of blocks that are not all zeros and starts at {@code from}, where {@link #startsZero} fails. */
    int dataRunEnd(ByteBuffer buffer, int from, long guest) {
        int limit = buffer.limit();
        int at = blockEnd(from, limit, guest);
        while (at < limit) {
            int next = blockEnd(at, limit, guest);
            if (isZero(buffer, at, next)) {
                break;
            }
            at = next;
        }
        return at;
    }

    private int blockEnd(int at, int limit, long guest) {
        long offset = guest + at;
        long end = offset - offset % granularity + granularity;
        return (int) Math.min(limit, end - guest);
    }

    private int blockStart(int at, long guest) {
        long offset = guest + at;
        return (int) (offset - offset % granularity - guest);
    }

    private boolean isZero(ByteBuffer buffer, int from, int to) {
        return from == to || firstNonZero(buffer, from, to) == to;
    }

    private int firstNonZero(ByteBuffer buffer, int from, int to) {
        if (from == to) {
            return to;
        }
        if (buffer != scanned) {
            scanned = buffer;
            view = buffer.duplicate();
        }
        view.limit(to).position(from);
        zeros.limit(to - from).position(0);
        int mismatch = view.mismatch(zeros);
        return mismatch < 0 ? to : from + mismatch;
    }
}
