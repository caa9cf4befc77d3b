package io.qcow4j.vdi;

import io.qcow4j.vhd.shared.Extent;
import io.qcow4j.vhd.shared.ExtentMap;

/**
 * The block map of a VDI: each entry the index of the block's place in the data area, or free (never written: zeros,
 * or the parent's bytes in a differencing image) or zero. Immutable; runs of free, zero or physically consecutive
 * blocks are returned whole.
 */
final class VdiBlockMap implements ExtentMap {

    static final int FREE = 0xffffffff;
    static final int ZERO = 0xfffffffe;

    private final int[] entries;
    private final long blockSize;
    private final int blockShift;
    private final long dataOffset;
    private final long blockExtra;
    private final boolean differencing;

    VdiBlockMap(int[] entries, long blockSize, long dataOffset, long blockExtra, boolean differencing) {
        this.entries = entries;
        this.blockSize = blockSize;
        this.blockShift = Long.numberOfTrailingZeros(blockSize);
        this.dataOffset = dataOffset;
        this.blockExtra = blockExtra;
        this.differencing = differencing;
    }

    static boolean allocated(int entry) {
        return Integer.compareUnsigned(entry, ZERO) < 0;
    }

    /** Where block {@code entry}'s data starts in the file: its extra bytes come first. */
    long hostOffset(int entry) {
        return dataOffset + (entry & 0xffffffffL) * (blockSize + blockExtra) + blockExtra;
    }

    @Override
    public Extent extentAt(long offset, long maxLength) {
        int index = (int) (offset >>> blockShift);
        long inBlock = offset & (blockSize - 1);
        long length = Math.min(maxLength, blockSize - inBlock);
        int entry = entries[index];
        // the following blocks that read alike: the same kind, and for data, the next place in the file
        boolean contiguous = allocated(entry) && blockExtra == 0;
        for (int next = index + 1; length < maxLength && next < entries.length; next++) {
            int following = entries[next];
            boolean same = allocated(entry) ? contiguous && following == entry + (next - index) : following == entry;
            if (!same) {
                break;
            }
            length = Math.min(maxLength, length + blockSize);
        }
        if (allocated(entry)) {
            return Extent.data(length, hostOffset(entry) + inBlock);
        }
        return entry == FREE && differencing ? Extent.parent(length) : Extent.zero(length);
    }
}
