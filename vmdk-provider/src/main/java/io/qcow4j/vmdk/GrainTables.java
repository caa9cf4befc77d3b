package io.qcow4j.vmdk;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.qcow4j.CorruptImageException;
import io.qcow4j.spi.HostFile;

/**
 * A sparse extent's grain directory, held whole (read at open and charged to the chain), and its grain tables, read
 * on demand into the chain's {@link GrainTableCache}.
 */
final class GrainTables implements GrainMap {

    /** Where an extent's tables are and how they are encoded. */
    record Geometry(TableLayout layout, long directoryOffset, long directoryEntries, int tableEntries,
                    long grainSectors, long tables, long grains) {
    }

    private static final int DIRECTORY_CHUNK = 1 << 20;

    private final HostFile file;
    private final Geometry geometry;
    private final long[] directory;
    private final GrainTableCache cache;

    private GrainTables(HostFile file, Geometry geometry, long[] directory, GrainTableCache cache) {
        this.file = file;
        this.geometry = geometry;
        this.directory = directory;
        this.cache = cache;
    }

    /** Reads the grain directory: its first {@code entries} entries, which the caller has charged to the chain. */
    static GrainTables read(HostFile file, Geometry geometry, int entries, GrainTableCache cache)
            throws IOException {
        int entryBytes = geometry.layout().entryBytes();
        long[] directory = new long[entries];
        int perChunk = DIRECTORY_CHUNK / entryBytes;
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min((long) entries * entryBytes, DIRECTORY_CHUNK));
        for (int first = 0; first < entries; first += perChunk) {
            int count = Math.min(perChunk, entries - first);
            chunk.clear().limit(count * entryBytes);
            file.readFully(chunk, geometry.directoryOffset() + (long) first * entryBytes, "grain directory");
            chunk.flip();
            for (int i = 0; i < count; i++) {
                directory[first + i] = geometry.layout().raw(chunk, i);
            }
        }
        return new GrainTables(file, geometry, directory, cache);
    }

    @Override
    public long entry(long grain) throws IOException {
        int tableEntries = geometry.tableEntries();
        long index = grain / tableEntries;
        long[] table = table(index, grain);
        return table == null ? UNALLOCATED : table[(int) (grain % tableEntries)];
    }

    @Override
    public long absentUntil(long grain, long limit) {
        int tableEntries = geometry.tableEntries();
        long index = grain / tableEntries;
        long lastIndex = Math.min(directory.length, (limit + tableEntries - 1) / tableEntries);
        long at = index;
        while (at < lastIndex && directory[(int) at] == 0) {
            at++;
        }
        return at == index ? grain : Math.min(limit, at * tableEntries);
    }

    @Override
    public long tableEnd(long grain) {
        return (grain / geometry.tableEntries() + 1) * geometry.tableEntries();
    }

    @Override
    public long peek(long grain) {
        int tableEntries = geometry.tableEntries();
        long index = grain / tableEntries;
        if (index >= directory.length || directory[(int) index] == 0 || geometry.layout() == TableLayout.SESPARSE) {
            return UNALLOCATED;
        }
        long[] table = cache.get(this, index, directory[(int) index] * 512);
        return table == null ? UNALLOCATED : table[(int) (grain % tableEntries)];
    }

    private long[] table(long index, long grain) throws IOException {
        if (index >= directory.length) {
            // a COWD header's directory may be shorter than its capacity needs; QEMU fails such reads too
            throw new CorruptImageException("the grain directory has " + directory.length + " entries, but grain "
                    + grain + " needs entry " + index);
        }
        TableLayout layout = geometry.layout();
        long offset = layout.tableOffset(directory[(int) index], geometry.tables(), index);
        if (offset < 0) {
            return null;
        }
        long[] cached = cache.get(this, index, offset);
        if (cached != null) {
            return cached;
        }
        int tableEntries = geometry.tableEntries();
        ByteBuffer raw = ByteBuffer.allocate(tableEntries * layout.entryBytes());
        file.readFully(raw, offset, "grain table " + index);
        raw.flip();
        long[] entries = new long[tableEntries];
        for (int i = 0; i < tableEntries; i++) {
            long entry = layout.raw(raw, i);
            entries[i] = entry == 0 ? UNALLOCATED : layout.decode(entry, geometry.grains(), geometry.grainSectors(),
                    "grain table " + index + " entry " + i);
        }
        cache.put(this, index, offset, entries);
        return entries;
    }
}
