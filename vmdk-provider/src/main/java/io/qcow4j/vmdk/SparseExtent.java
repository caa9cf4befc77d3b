package io.qcow4j.vmdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import io.qcow4j.CorruptImageException;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.ImageReads;

/**
 * An extent of grains found through tables: hosted sparse (monolithicSparse, twoGbMaxExtentSparse, the sparse
 * extents of a delta disk), stream-optimized (compressed grains), ESX's COWD and seSparse.
 */
final class SparseExtent implements Extent {

    private final HostFile file;
    private final GrainMap map;
    private final long bytes;
    private final int grainBytes;
    private final CompressedGrains compressed;
    private final String type;

    /**
     * @param compressed the reader of its compressed grains, or null where grains are stored as they are
     * @param type       the extent line's type, or "" for the extent of a sparse file opened as the image
     */
    SparseExtent(HostFile file, GrainMap map, long bytes, int grainBytes, CompressedGrains compressed, String type) {
        this.file = file;
        this.map = map;
        this.bytes = bytes;
        this.grainBytes = grainBytes;
        this.compressed = compressed;
        this.type = type;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public Run run(long offset, long maxLength) throws IOException {
        long grain = offset / grainBytes;
        long inGrain = offset % grainBytes;
        long end = offset + maxLength;
        long lastGrain = (end - 1) / grainBytes;
        long absentEnd = map.absentUntil(grain, lastGrain + 1);
        if (absentEnd > grain) {
            long runEnd = Math.min(end, absentEnd * grainBytes);
            return new Run(Run.Kind.UNALLOCATED, runEnd - offset, -1);
        }
        long first = map.entry(grain);
        Run.Kind kind = kindOf(first);
        if (kind == Run.Kind.COMPRESSED) {
            return new Run(kind, Math.min(end, (grain + 1) * grainBytes) - offset, first);
        }
        // grains of the same kind (stored ones only where they follow each other in the file) make one run, up to
        // the end of the grain table: its entries are at hand
        long next = grain + 1;
        long stop = Math.min(lastGrain + 1, map.tableEnd(grain));
        while (next < stop) {
            long entry = map.entry(next);
            boolean continues = kind == Run.Kind.DATA
                    ? entry == first + (next - grain) * grainBytes
                    : kindOf(entry) == kind;
            if (!continues) {
                break;
            }
            next++;
        }
        long runEnd = Math.min(end, next * grainBytes);
        return new Run(kind, runEnd - offset, kind == Run.Kind.DATA ? first + inGrain : -1);
    }

    private Run.Kind kindOf(long entry) {
        if (entry == GrainMap.UNALLOCATED) {
            return Run.Kind.UNALLOCATED;
        }
        if (entry == GrainMap.ZERO) {
            return Run.Kind.ZERO;
        }
        return compressed != null ? Run.Kind.COMPRESSED : Run.Kind.DATA;
    }

    @Override
    public void read(Run run, long offset, ByteBuffer dst) throws IOException {
        if (run.kind() == Run.Kind.COMPRESSED) {
            long grain = offset / grainBytes;
            compressed.copy(grain, run.hostOffset(), (int) (offset % grainBytes), dst);
            return;
        }
        long host = run.hostOffset();
        long size = file.size();
        // the part of a grain past the end of the file reads as zeros, as in QEMU; a grain that starts there is
        // missing, and QEMU's zeros would be wrong data
        long firstGrainHost = host - offset % grainBytes;
        long grainsInFile = size <= firstGrainHost ? 0 : (size - firstGrainHost + grainBytes - 1) / grainBytes;
        long missingHost = firstGrainHost + grainsInFile * grainBytes;
        if (dst.remaining() > missingHost - host) {
            long missingGuest = offset - offset % grainBytes + grainsInFile * grainBytes;
            throw new CorruptImageException(String.format("grain for extent offset %d is at host offset %d, past "
                    + "the end of the %d-byte file %s (truncated?)", missingGuest, missingHost, size,
                    file.path().getFileName()));
        }
        file.readAvailable(dst, host);
        ImageReads.fillZeros(dst);
    }

    @Override
    public HostFile file() {
        return file;
    }

    @Override
    public long grainBytes() {
        return grainBytes;
    }

    @Override
    public boolean compressed() {
        return compressed != null;
    }

    CompressedGrains compressedGrains() {
        return compressed;
    }

    @Override
    public Map<String, Object> info() {
        Map<String, Object> info = new LinkedHashMap<>();
        if (compressed != null) {
            info.put("compressed", true);
        }
        info.put("virtual-size", bytes);
        info.put("filename", file.path().toString());
        info.put("cluster-size", (long) grainBytes);
        info.put("format", type);
        return info;
    }
}
