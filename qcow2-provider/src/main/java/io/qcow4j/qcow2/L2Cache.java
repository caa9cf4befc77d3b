package io.qcow4j.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

import io.qcow4j.internal.HostFile;
import io.qcow4j.spi.CorruptImageException;

/**
 * A bounded cache of decoded L2 tables, direct-mapped by L1 index. Lock-free: readers that miss at the same time may
 * both load the table, which is harmless for a read-only image. Direct mapping by L1 index means a sequential reader
 * never evicts a table it still needs until it has walked the whole cache's worth of disk.
 */
final class L2Cache {

    /** The table at {@code l2Offset}; entries are decoded to host order, two longs each with extended L2. */
    private record Table(long l2Offset, long[] entries) {
    }

    private static final long L1_OFFSET_MASK = 0x00fffffffffffe00L;

    private final HostFile file;
    private final Geometry geometry;
    private final long[] l1;
    private final AtomicReferenceArray<Table> slots;
    /** Counts tables read from the file, so tests can tell that shared tables are read once. */
    private final LongAdder loads = new LongAdder();

    L2Cache(HostFile file, Geometry geometry, long[] l1, long cacheBytes) {
        this.file = file;
        this.geometry = geometry;
        this.l1 = l1;
        long wanted = Math.max(1, cacheBytes / geometry.l2TableBytes());
        this.slots = new AtomicReferenceArray<>((int) Math.min(wanted, Math.max(1, l1.length)));
    }

    /** The decoded L2 table for {@code l1Index}, or null where the L1 entry maps no table. */
    long[] table(int l1Index) throws IOException {
        if (l1Index >= l1.length) {
            // a snapshot's L1 table, smaller than the image has grown since: the rest maps nothing
            return null;
        }
        long l2Offset = l1[l1Index] & L1_OFFSET_MASK;
        if (l2Offset == 0) {
            return null;
        }
        int slot = l1Index % slots.length();
        Table cached = slots.get(slot);
        // keyed by where the table is, not by L1 index: L1 entries that share a table (a hostile image can point
        // every one at the same table) share its decoding too
        if (cached != null && cached.l2Offset() == l2Offset) {
            return cached.entries();
        }
        if ((l2Offset & geometry.clusterMask()) != 0) {
            throw new CorruptImageException(String.format("Image is corrupt: L2 table offset %#x unaligned "
                    + "(L1 index %#x)", l2Offset, l1Index));
        }
        ByteBuffer raw = ByteBuffer.allocate(geometry.l2TableBytes());
        file.readFully(raw, l2Offset, "L2 table for L1 index " + l1Index);
        raw.flip();
        loads.increment();
        long[] entries = new long[geometry.l2TableBytes() / 8];
        raw.asLongBuffer().get(entries);
        slots.set(slot, new Table(l2Offset, entries));
        return entries;
    }

    long loads() {
        return loads.sum();
    }
}
