package io.qcow4j.vhd;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.qcow4j.vhd.shared.Extent;
import io.qcow4j.vhd.shared.ExtentMap;
import io.qcow4j.vhd.shared.Storage;

/**
 * The block allocation table of a dynamic or differencing VHD, with each block's sector bitmap: a sector whose bit is
 * clear was never written in this file, so it reads as zero in a dynamic disk and from the parent in a differencing
 * one. Lock-free: the table is read at open; what is learnt of each bitmap is kept in a byte per block, written
 * racily with values that every thread computes alike.
 */
final class BlockAllocationTable implements ExtentMap {

    static final int UNUSED = 0xffffffff;
    private static final byte UNKNOWN = 0;
    private static final byte ALL_SET = 1;
    private static final byte NONE_SET = 2;
    private static final byte MIXED = 3;
    /** The most bitmap bytes read for one query: 32768 sectors. */
    private static final int BITMAP_WINDOW = 4096;

    private final Storage storage;
    private final int[] entries;
    private final byte[] bitmapStates;
    private final long blockSize;
    private final int blockShift;
    private final int bitmapSize;
    private final boolean differencing;

    BlockAllocationTable(Storage storage, int[] entries, long blockSize, boolean differencing) {
        this.storage = storage;
        this.entries = entries;
        this.bitmapStates = new byte[entries.length];
        this.blockSize = blockSize;
        this.blockShift = Long.numberOfTrailingZeros(blockSize);
        this.bitmapSize = bitmapSize(blockSize);
        this.differencing = differencing;
    }

    /** The bitmap that precedes each block: a bit per sector, padded to whole sectors. */
    static int bitmapSize(long blockSize) {
        long bytes = Math.max(1, blockSize / 512 / 8);
        return (int) ((bytes + 511) & ~511L);
    }

    @Override
    public Extent extentAt(long offset, long maxLength) throws IOException {
        int index = (int) (offset >>> blockShift);
        long inBlock = offset & (blockSize - 1);
        long inThisBlock = Math.min(maxLength, blockSize - inBlock);
        int entry = entries[index];
        if (entry == UNUSED) {
            long length = inThisBlock;
            for (int next = index + 1; length < maxLength && next < entries.length && entries[next] == UNUSED;
                 next++) {
                length = Math.min(maxLength, length + blockSize);
            }
            return absent(length);
        }
        long bitmapAt = (entry & 0xffffffffL) * 512;
        long dataAt = bitmapAt + bitmapSize;
        byte state = bitmapStates[index];
        if (state == UNKNOWN) {
            state = classify(bitmapAt);
            bitmapStates[index] = state;
        }
        return switch (state) {
            case ALL_SET -> Extent.data(inThisBlock, dataAt + inBlock);
            case NONE_SET -> absent(inThisBlock);
            default -> mixedRun(bitmapAt, dataAt, inBlock, inThisBlock);
        };
    }

    private Extent absent(long length) {
        return differencing ? Extent.parent(length) : Extent.zero(length);
    }

    /** The bytes of the bitmap that have a bit for a sector of the block. */
    private int usedBitmapBytes() {
        return (int) Math.max(1, blockSize / 512 / 8);
    }

    private byte classify(long bitmapAt) throws IOException {
        int used = usedBitmapBytes();
        int bits = (int) Math.min(8, blockSize / 512);
        boolean anySet = false;
        boolean anyClear = false;
        for (int from = 0; from < used; from += BITMAP_WINDOW) {
            ByteBuffer bytes = ByteBuffer.allocate(Math.min(BITMAP_WINDOW, used - from));
            storage.readFully(bytes, bitmapAt + from, "sector bitmap");
            for (int i = 0; i < bytes.capacity(); i++) {
                int b = bytes.get(i) & 0xff;
                int full = bits == 8 ? 0xff : (0xff00 >>> bits) & 0xff;
                anySet |= (b & full) != 0;
                anyClear |= (b & full) != full;
            }
            if (anySet && anyClear) {
                return MIXED;
            }
        }
        return anySet ? ALL_SET : NONE_SET;
    }

    /** The run of sectors whose bits equal that of the sector holding {@code inBlock}. */
    private Extent mixedRun(long bitmapAt, long dataAt, long inBlock, long inThisBlock) throws IOException {
        long sector = inBlock / 512;
        long lastSector = (inBlock + inThisBlock - 1) / 512;
        long firstByte = sector / 8;
        int length = (int) Math.min(BITMAP_WINDOW, lastSector / 8 - firstByte + 1);
        ByteBuffer bytes = ByteBuffer.allocate(length);
        storage.readFully(bytes, bitmapAt + firstByte, "sector bitmap");
        boolean set = bit(bytes, firstByte, sector);
        long end = sector + 1;
        long windowEnd = Math.min(lastSector + 1, (firstByte + length) * 8);
        while (end < windowEnd && bit(bytes, firstByte, end) == set) {
            end++;
        }
        long runLength = Math.min(inThisBlock, end * 512 - inBlock);
        return set ? Extent.data(runLength, dataAt + inBlock) : absent(runLength);
    }

    /** Sector bitmaps are big-endian in their bits: the first sector is the top bit of the first byte. */
    private static boolean bit(ByteBuffer bytes, long firstByte, long sector) {
        return (bytes.get((int) (sector / 8 - firstByte)) & (0x80 >>> (sector & 7))) != 0;
    }
}
