package io.qcow4j.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.qcow4j.CorruptImageException;
import io.qcow4j.vhd.shared.Extent;
import io.qcow4j.vhd.shared.ExtentMap;
import io.qcow4j.vhd.shared.Storage;

/**
 * The BAT of a VHDX: payload block entries interleaved with one sector bitmap entry per chunk. A block fully present
 * is read from the file; not present reads from the parent (zeros without one); undefined, zero and unmapped blocks
 * read as zeros; a partially present block (differencing disks only) goes by its sector bitmap, one bit per logical
 * sector, the first sector in the lowest bit. Immutable; bitmaps are read when a query needs them.
 */
final class PayloadMap implements ExtentMap {

    static final int NOT_PRESENT = 0;
    static final int UNDEFINED = 1;
    static final int ZERO = 2;
    static final int UNMAPPED = 3;
    /** An early draft's unmapped value, which QEMU reads as unmapped too. */
    static final int UNMAPPED_DRAFT = 5;
    static final int FULLY_PRESENT = 6;
    static final int PARTIALLY_PRESENT = 7;
    static final int SECTOR_BITMAP_PRESENT = 6;
    private static final long MB = 1 << 20;
    /** The most bitmap bytes read for one query: 32768 sectors. */
    private static final int BITMAP_WINDOW = 4096;

    private final Storage storage;
    private final long[] entries;
    private final long blockSize;
    private final long chunkRatio;
    private final int sectorSize;
    private final boolean differencing;

    PayloadMap(Storage storage, long[] entries, VhdxMetadata metadata) {
        this.storage = storage;
        this.entries = entries;
        this.blockSize = metadata.blockSize();
        this.chunkRatio = metadata.chunkRatio();
        this.sectorSize = metadata.logicalSectorSize();
        this.differencing = metadata.hasParent();
    }

    /** The BAT index of payload block {@code block}: a sector bitmap entry follows each chunk. */
    static long payloadIndex(long block, long chunkRatio) {
        return block + block / chunkRatio;
    }

    static int state(long entry) {
        return (int) (entry & 7);
    }

    static long fileOffset(long entry) {
        return (entry >>> 20) * MB;
    }

    private long entry(long block) {
        return entries[(int) payloadIndex(block, chunkRatio)];
    }

    @Override
    public Extent extentAt(long offset, long maxLength) throws IOException {
        long block = offset / blockSize;
        long inBlock = offset % blockSize;
        long length = Math.min(maxLength, blockSize - inBlock);
        long entry = entry(block);
        int state = state(entry);
        if (state == PARTIALLY_PRESENT) {
            return partialRun(block, entry, inBlock, length);
        }
        Extent.Kind kind = kind(block, state);
        long next = block + 1;
        long expected = fileOffset(entry) + blockSize;
        while (length < maxLength && payloadIndex(next, chunkRatio) < entries.length) {
            long following = entry(next);
            int followingState = state(following);
            boolean same = kind == Extent.Kind.DATA
                    ? followingState == FULLY_PRESENT && fileOffset(following) == expected
                    : kindOrNull(followingState) == kind;
            if (!same) {
                break;
            }
            length = Math.min(maxLength, length + blockSize);
            expected += blockSize;
            next++;
        }
        return switch (kind) {
            case DATA -> Extent.data(length, fileOffset(entry) + inBlock);
            case ZERO -> Extent.zero(length);
            case PARENT -> Extent.parent(length);
        };
    }

    private Extent.Kind kind(long block, int state) throws CorruptImageException {
        Extent.Kind kind = kindOrNull(state);
        if (kind == null) {
            throw new CorruptImageException("VHDX BAT: payload block " + block + " has the reserved state " + state);
        }
        return kind;
    }

    /**
     * What a whole block of this state reads as; null for a partially present block (read by its bitmap) and for a
     * reserved state, which only a read of that block reports (a run of blocks before it stops there).
     */
    private Extent.Kind kindOrNull(int state) {
        return switch (state) {
            case FULLY_PRESENT -> Extent.Kind.DATA;
            case NOT_PRESENT -> differencing ? Extent.Kind.PARENT : Extent.Kind.ZERO;
            case UNDEFINED, ZERO, UNMAPPED, UNMAPPED_DRAFT -> Extent.Kind.ZERO;
            default -> null;
        };
    }

    private Extent partialRun(long block, long entry, long inBlock, long length) throws IOException {
        if (!differencing) {
            throw new CorruptImageException("VHDX BAT: payload block " + block
                    + " is partially present in a disk without a parent");
        }
        long chunk = block / chunkRatio;
        long bitmapEntry = entries[(int) (chunk * (chunkRatio + 1) + chunkRatio)];
        if (state(bitmapEntry) != SECTOR_BITMAP_PRESENT) {
            throw new CorruptImageException("VHDX BAT: payload block " + block + " is partially present, but the"
                    + " sector bitmap of chunk " + chunk + " has state " + state(bitmapEntry));
        }
        long sectorsPerBlock = blockSize / sectorSize;
        long sector = (block % chunkRatio) * sectorsPerBlock + inBlock / sectorSize;
        long lastSector = (block % chunkRatio) * sectorsPerBlock + (inBlock + length - 1) / sectorSize;
        long firstByte = sector / 8;
        int bytesLength = (int) Math.min(BITMAP_WINDOW, lastSector / 8 - firstByte + 1);
        ByteBuffer bytes = ByteBuffer.allocate(bytesLength);
        storage.readFully(bytes, fileOffset(bitmapEntry) + firstByte, "VHDX sector bitmap of chunk " + chunk);
        boolean set = bit(bytes, firstByte, sector);
        long end = sector + 1;
        long windowEnd = Math.min(lastSector + 1, (firstByte + bytesLength) * 8);
        while (end < windowEnd && bit(bytes, firstByte, end) == set) {
            end++;
        }
        long blockFirstSector = (block % chunkRatio) * sectorsPerBlock;
        long runLength = Math.min(length, (end - blockFirstSector) * sectorSize - inBlock);
        return set ? Extent.data(runLength, fileOffset(entry) + inBlock) : Extent.parent(runLength);
    }

    private static boolean bit(ByteBuffer bytes, long firstByte, long sector) {
        return (bytes.get((int) (sector / 8 - firstByte)) & (1 << (sector & 7))) != 0;
    }
}
