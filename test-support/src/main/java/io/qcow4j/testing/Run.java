package io.qcow4j.testing;

import io.qcow4j.Allocation;

/**
 * One run of a {@link MemoryImage}: guest bytes {@code [start, end)} of one allocation, with the pattern a data run
 * reads as, and what its block status says of compression and host offset (-1: none).
 */
record Run(long start, long end, Allocation allocation, BytePattern bytes, boolean compressed, long hostOffset) {

    static Run data(long start, long end, BytePattern bytes) {
        return new Run(start, end, Allocation.DATA, bytes, false, -1);
    }

    static Run empty(long start, long end, Allocation allocation) {
        return new Run(start, end, allocation, null, false, -1);
    }

    /** The part of this run from {@code offset} on: its host offset moves with it. */
    Run from(long offset) {
        return new Run(offset, end, allocation, bytes, compressed, hostOffsetAt(offset));
    }

    /** The part of this run before {@code offset}. */
    Run until(long offset) {
        return new Run(start, offset, allocation, bytes, compressed, hostOffset);
    }

    Run asCompressed() {
        return new Run(start, end, allocation, bytes, true, hostOffset);
    }

    Run storedAt(long host) {
        return new Run(start, end, allocation, bytes, compressed, host);
    }

    long hostOffsetAt(long offset) {
        return hostOffset < 0 ? -1 : hostOffset + offset - start;
    }
}
