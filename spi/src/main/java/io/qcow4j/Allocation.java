package io.qcow4j;

/** What a range of the guest disk holds, as a block-status query sees it. */
public enum Allocation {
    /** Bytes stored in some image of the chain; they must be read. */
    DATA,
    /** Allocated (in the image or a backing image) as reading zeros: no bytes are stored. */
    ZERO,
    /**
     * Stored in some image of the chain, in a hole of its file: reads as zeros without being read ({@code qemu-img
     * map}'s {@code "data": true} with {@code "zero": true}, as for an image made with {@code preallocation=metadata}).
     */
    DATA_IN_HOLE,
    /** Allocated nowhere in the chain: reads as zeros. */
    UNALLOCATED
}
