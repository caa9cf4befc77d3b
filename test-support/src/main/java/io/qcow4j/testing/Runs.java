package io.qcow4j.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.NavigableMap;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.spi.ImageReads;

/**
 * The runs that cover a {@link MemoryImage}'s disk, end to end, and the backing image its unallocated runs read from:
 * what a read fills and what block status says, without the argument checks or the counting.
 */
final class Runs {


    private final NavigableMap<Long, Run> byStart;
    private final Image backing;

    Runs(NavigableMap<Long, Run> byStart, Image backing) {
        this.byStart = byStart;
        this.backing = backing;
    }

    private Run at(long offset) {
        return byStart.floorEntry(offset).getValue();
    }

    /** Fills what remains of {@code dst} with the bytes from {@code position}; the caller keeps it inside the disk. */
    void fill(ByteBuffer dst, long position) throws IOException {
        int limit = dst.limit();
        try {
            for (long at = position; dst.hasRemaining(); ) {
                Run run = at(at);
                int n = (int) Math.min(dst.remaining(), run.end() - at);
                dst.limit(dst.position() + n);
                switch (run.allocation()) {
                    case DATA -> run.bytes().fill(dst, at);
                    case UNALLOCATED -> ImageReads.readBacking(backing, dst, at);
                    default -> ImageReads.fillZeros(dst);
                }
                dst.limit(limit);
                at += n;
            }
        } finally {
            dst.limit(limit);
        }
    }

    /** The status of the run at {@code offset}, at most {@code maxLength} bytes long; the caller checked both. */
    BlockStatus status(long offset, long maxLength) throws IOException {
        Run run = at(offset);
        long length = Math.min(maxLength, run.end() - offset);
        if (run.allocation() == Allocation.UNALLOCATED) {
            return ImageReads.backingStatus(backing, offset, length);
        }
        return new BlockStatus(offset, length, run.allocation(), run.compressed(), 0, run.hostOffsetAt(offset));
    }
}
