package io.qcow4j.vmdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.spi.HostFile;

/** Opens the sparse extents of each kind from their headers: hosted (KDMV), stream-optimized, COWD and seSparse. */
final class SparseExtents {

    /** The largest compressed grain inflated: each reading thread holds three of its size. */
    static final int MAX_COMPRESSED_GRAIN = 2 << 20;

    private static final int FOOTER_BYTES = 1536;
    private static final int MARKER_FOOTER = 3;
    private static final int MARKER_EOS = 0;

    /** What opening an extent needs besides its file: the chain's memory, buffers and the image's cache. */
    interface Resources {
        /** Charges {@code bytes} of heap for {@code what} to the chain. */
        void charge(String what, long bytes) throws ImageException;

        GrainBuffers buffers();

        /** The chain's cache of decoded grain tables, with room for tables of {@code entries} entries. */
        GrainTableCache tables(int entries) throws ImageException;
    }

    private SparseExtents() {
    }

    /**
     * A hosted sparse or stream-optimized extent, whose header ({@code header}, from {@code head}) the caller has
     * read: a stream's footer, where its header says the directory is at the end, takes the header's place.
     *
     * @param type the extent line's type, "" for a sparse file opened as the image
     */
    static SparseExtent hosted(HostFile file, SparseHeader header, String type, Resources resources)
            throws IOException {
        SparseHeader effective = header;
        boolean footerMissing = false;
        if (header.directory() == SparseHeader.DIRECTORY_AT_END) {
            SparseHeader footer = footer(file);
            if (footer != null && footer.directory() != SparseHeader.DIRECTORY_AT_END) {
                effective = footer;
            } else if (header.compressed() && header.markers()) {
                footerMissing = true;
            } else {
                throw new CorruptImageException("the sparse header puts the grain directory at the end of the file, "
                        + "but the file ends with no valid footer (a footer marker, a copy of the header with the "
                        + "directory's offset, and an end-of-stream marker)");
            }
        }
        effective.check(file.size());
        long grainBytes = effective.grainSectors() * 512;
        long bytes = effective.capacity() * 512;
        GrainMap map;
        if (footerMissing) {
            map = StreamIndex.scan(file, effective, b -> resources.charge("index of a stream without a footer", b));
        } else {
            TableLayout layout = effective.zeroedGrains() ? TableLayout.HOSTED_ZEROED_GRAINS : TableLayout.HOSTED;
            long entries = effective.directoryEntries();
            GrainTables.Geometry geometry = new GrainTables.Geometry(layout, sectorsToBytes(effective.directory(),
                    "sparse header: gdOffset"), entries, effective.tableEntries(), effective.grainSectors(), 0, 0);
            map = tables(file, geometry, entries, resources);
        }
        CompressedGrains compressed = null;
        if (effective.compressed()) {
            if (grainBytes > MAX_COMPRESSED_GRAIN) {
                throw new ImageLimitException("sparse header: compressed grains of " + grainBytes + " bytes; this "
                        + "reader inflates grains of at most " + MAX_COMPRESSED_GRAIN + " bytes (VMware's are 65536)");
            }
            compressed = new CompressedGrains(file, map, (int) grainBytes, bytes, effective.markers(),
                    resources.buffers());
        }
        return new SparseExtent(file, map, bytes, (int) grainBytes, compressed, type);
    }

    /** An ESX COWD extent (vmfsSparse), whose header starts {@code head}. */
    static SparseExtent cowd(HostFile file, ByteBuffer head, String type, Resources resources) throws IOException {
        CowdHeader header = CowdHeader.read(head);
        header.check();
        long grains = (header.capacity() + header.grainSectors() - 1) / header.grainSectors();
        long needed = (grains + CowdHeader.TABLE_ENTRIES - 1) / CowdHeader.TABLE_ENTRIES;
        // entries past what the capacity needs are never looked up
        long entries = Math.min(header.directoryEntries(), needed);
        GrainTables.Geometry geometry = new GrainTables.Geometry(TableLayout.COWD, header.directory() * 512, entries,
                CowdHeader.TABLE_ENTRIES, header.grainSectors(), 0, 0);
        GrainMap map = tables(file, geometry, entries, resources);
        return new SparseExtent(file, map, header.capacity() * 512, (int) (header.grainSectors() * 512), null, type);
    }

    /** An ESX seSparse extent, whose constant header starts {@code head}. */
    static SparseExtent seSparse(HostFile file, ByteBuffer head, String type, Resources resources)
            throws IOException {
        SeSparseHeader header = SeSparseHeader.read(head);
        ByteBuffer volatileHeader = ByteBuffer.allocate(512);
        file.readFully(volatileHeader, header.volatileHeader() * 512, "seSparse volatile header");
        SeSparseHeader.checkVolatile(volatileHeader.flip());
        long grains = (header.capacity() + SeSparseHeader.GRAIN_SECTORS - 1) / SeSparseHeader.GRAIN_SECTORS;
        long needed = (grains + SeSparseHeader.TABLE_ENTRIES - 1) / SeSparseHeader.TABLE_ENTRIES;
        long entries = Math.min(header.directoryEntries(), needed);
        GrainTables.Geometry geometry = new GrainTables.Geometry(TableLayout.SESPARSE, header.directory() * 512,
                entries, SeSparseHeader.TABLE_ENTRIES, SeSparseHeader.GRAIN_SECTORS, header.tables(),
                header.grains());
        GrainMap map = tables(file, geometry, entries, resources);
        return new SparseExtent(file, map, header.capacity() * 512, (int) (SeSparseHeader.GRAIN_SECTORS * 512), null,
                type);
    }

    private static GrainTables tables(HostFile file, GrainTables.Geometry geometry, long entries, Resources resources)
            throws IOException {
        resources.charge("grain directory", entries * Long.BYTES);
        return GrainTables.read(file, geometry, (int) entries, resources.tables(geometry.tableEntries()));
    }

    private static long sectorsToBytes(long sectors, String what) throws CorruptImageException {
        if (sectors < 0 || sectors > Limits.DISK_BYTES / 512) {
            throw new CorruptImageException(what + " " + Long.toUnsignedString(sectors) + " lies past any file");
        }
        return sectors * 512;
    }

    /**
     * The header in a stream's footer, or null where the file does not end with one: the footer marker, the footer,
     * and the end-of-stream marker, a sector each, as QEMU checks them.
     */
    private static SparseHeader footer(HostFile file) throws IOException {
        long end = (file.size() + 511) & -512L;
        if (end < FOOTER_BYTES + 512) {
            return null;
        }
        ByteBuffer footer = ByteBuffer.allocate(FOOTER_BYTES);
        file.readAvailable(footer, end - FOOTER_BYTES);
        ByteBuffer le = footer.order(ByteOrder.LITTLE_ENDIAN);
        boolean valid = le.getInt(8) == 0 && le.getInt(12) == MARKER_FOOTER
                && footer.order(ByteOrder.BIG_ENDIAN).getInt(512) == VmdkProbe.KDMV
                && le.order(ByteOrder.LITTLE_ENDIAN).getLong(1024) == 0 && le.getInt(1032) == 0
                && le.getInt(1036) == MARKER_EOS;
        if (!valid) {
            return null;
        }
        return SparseHeader.read(footer.position(512).slice());
    }
}
