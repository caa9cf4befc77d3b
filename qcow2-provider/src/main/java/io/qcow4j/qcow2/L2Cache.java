package io.qcow4j.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

import io.qcow4j.CorruptImageException;
import io.qcow4j.spi.HostFile;

/**
 * A bounded cache of decoded L2 table slices, direct-mapped by the guest range they map. Slices of 4 KiB rather than
 * whole tables (QEMU's cache reads slices too): a table is a cluster, up to 2 MiB, and every image of a backing chain
 * keeps its own cache, so a deep chain of large-cluster images would otherwise hold megabytes per image. Lock-free:
 * readers that miss at the same time may both load a slice, which is harmless for a read-only image. Direct mapping
 * by guest range means a sequential reader never evicts a slice it still needs until it has walked the whole
 * cache's worth of disk.
 */
final class L2Cache {

    /** Bytes of an L2 table read and cached at a time (less with smaller clusters: a table is one cluster). */
    static final int SLICE_BYTES = 4096;

    /** The slice at {@code hostOffset}; entries are decoded to host order, two longs each with extended L2. */
    private record Slice(long hostOffset, long[] entries) {
    }

    private static final long L1_OFFSET_MASK = 0x00fffffffffffe00L;

    private final HostFile file;
    private final Geometry geometry;
    private final long[] l1;
    private final int sliceBytes;
    private final int sliceClusters;
    private final AtomicReferenceArray<Slice> slots;
    /** Counts slices read from the file, so tests can tell that shared tables are read once. */
    private final LongAdder loads = new LongAdder();

    L2Cache(HostFile file, Geometry geometry, long[] l1, long cacheBytes) {
        this.file = file;
        this.geometry = geometry;
        this.l1 = l1;
        this.sliceBytes = Math.min(SLICE_BYTES, geometry.l2TableBytes());
        this.sliceClusters = sliceBytes / (geometry.extendedL2() ? 16 : 8);
        long slicesPerTable = geometry.l2TableBytes() / sliceBytes;
        long wanted = Math.max(1, cacheBytes / sliceBytes);
        this.slots = new AtomicReferenceArray<>((int) Math.min(wanted, Math.max(1, l1.length * slicesPerTable)));
    }

    /** The clusters one slice maps: a power of two. */
    int sliceClusters() {
        return sliceClusters;
    }

    /**
     * The decoded slice of L2 entries that maps guest cluster {@code cluster} (its entry is at index
     * {@code cluster % sliceClusters()}, times two with extended L2), or null where the L1 entry maps no table.
     */
    long[] slice(long cluster) throws IOException {
        long l1Entry = cluster >>> geometry.l2Bits();
        if (l1Entry >= l1.length) {
            // a snapshot's L1 table, smaller than the image has grown since: the rest maps nothing
            return null;
        }
        int l1Index = (int) l1Entry;
        long l2Offset = l1[l1Index] & L1_OFFSET_MASK;
        if (l2Offset == 0) {
            return null;
        }
        if ((l2Offset & geometry.clusterMask()) != 0) {
            throw new CorruptImageException(String.format("Image is corrupt: L2 table offset %#x unaligned "
                    + "(L1 index %#x)", l2Offset, l1Index));
        }
        long sliceInTable = (cluster & (geometry.l2Entries() - 1)) / sliceClusters;
        long sliceOffset = l2Offset + sliceInTable * sliceBytes;
        int slot = (int) ((cluster / sliceClusters) % slots.length());
        Slice cached = slots.get(slot);
        // keyed by where the slice is, not by guest range: L1 entries that share a table (a hostile image can point
        // every one at the same table) share its decoding too
        if (cached != null && cached.hostOffset() == sliceOffset) {
            return cached.entries();
        }
        ByteBuffer raw = ByteBuffer.allocate(sliceBytes);
        file.readFully(raw, sliceOffset, "L2 table for L1 index " + l1Index);
        raw.flip();
        loads.increment();
        long[] entries = new long[sliceBytes / 8];
        raw.asLongBuffer().get(entries);
        slots.set(slot, new Slice(sliceOffset, entries));
        return entries;
    }

    long loads() {
        return loads.sum();
    }
}
