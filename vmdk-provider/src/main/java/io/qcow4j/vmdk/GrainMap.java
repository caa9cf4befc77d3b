package io.qcow4j.vmdk;

import java.io.IOException;

/** Where a sparse extent keeps each grain. */
interface GrainMap {

    /** A grain that is not allocated: the parent's, or zeros. */
    long UNALLOCATED = 0;
    /** A zeroed grain: reads as zeros, whatever the parent holds. */
    long ZERO = -1;

    /**
     * The entry of grain {@code grain}: {@link #UNALLOCATED}, {@link #ZERO}, or the byte offset in the extent's file
     * where the grain (or its marker) starts.
     *
     * @throws io.qcow4j.CorruptImageException when the tables that say are damaged or missing
     */
    long entry(long grain) throws IOException;

    /**
     * The first grain at or after {@code grain}, and at most {@code limit}, that may be allocated: those before it are
     * all unallocated. Looks no further than {@code limit}, so that a query's work is bounded by its length.
     */
    long absentUntil(long grain, long limit) throws IOException;

    /** The grain where the grain table holding {@code grain} ends: a run's lookups stop there. */
    long tableEnd(long grain);

    /**
     * The entry of {@code grain} where it is at hand without reading anything, else {@link #UNALLOCATED}; never
     * fails: a hint, such as how far the next grain's marker is.
     */
    long peek(long grain);
}
