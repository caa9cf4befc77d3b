package io.qcow4j.vmdk;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The decoded grain tables of every sparse extent of a backing chain, in one bounded, direct-mapped cache shared
 * through the open context: however deep a chain and however many extents its disks have, the tables held stay
 * within {@link #SLOTS} of them. A miss costs one read of a few KiB from the page cache, which is why QEMU keeps only
 * 16 tables per extent. Lock-free: threads that miss the same table at once may both read it.
 */
final class GrainTableCache {

    /** Tables held at most: 8 GiB of disk in hosted tables of 512 grains of 64 KiB; at most 8 MiB of ESX tables. */
    static final int SLOTS = 256;

    /** A table of {@code owner}'s, and where in its file it was read. */
    private record Table(Object owner, long offset, long[] entries) {
    }

    private final AtomicReferenceArray<Table> slots = new AtomicReferenceArray<>(SLOTS);
    /** The most heap the cache may hold, as the tables of the extents opened so far make it. */
    private long bound;

    /**
     * Makes room for tables of {@code tableBytes} decoded bytes and returns how much more heap the cache may now
     * hold, for the chain's memory limit. Called while the chain opens, on its thread.
     */
    long reserve(long tableBytes) {
        long wanted = SLOTS * tableBytes;
        long more = Math.max(0, wanted - bound);
        bound = Math.max(bound, wanted);
        return more;
    }

    /** The entries of the table that {@code owner} read at {@code offset} for directory entry {@code index}. */
    long[] get(Object owner, long index, long offset) {
        Table table = slots.get(slot(owner, index));
        return table != null && table.owner() == owner && table.offset() == offset ? table.entries() : null;
    }

    void put(Object owner, long index, long offset, long[] entries) {
        slots.set(slot(owner, index), new Table(owner, offset, entries));
    }

    /** Consecutive tables of one extent take consecutive slots, so a sequential reader keeps what it reads. */
    private static int slot(Object owner, long index) {
        return (int) Math.floorMod(System.identityHashCode(owner) * 0x9e3779b9L + index, (long) SLOTS);
    }
}
