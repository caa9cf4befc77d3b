package io.qcow4j.vmdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.CorruptImageException;
import io.qcow4j.nativeaccess.FileHoles;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.ImageReads;

/**
 * A FLAT or VMFS extent: the extent's bytes as they are, in a file from an offset. A file shorter than the extent is
 * damaged (a partial copy of a {@code -flat.vmdk}): QEMU reads zeros past its end, this reader refuses to invent
 * them, except in the file's last partial sector.
 */
final class FlatExtent implements Extent {

    private final HostFile file;
    private final long start;
    private final long bytes;
    private final String type;
    /** Asked on the first block status query, not at open: reads never need it. */
    private volatile FileHoles holes;

    FlatExtent(HostFile file, long start, long bytes, String type) {
        this.file = file;
        this.start = start;
        this.bytes = bytes;
        this.type = type;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    /**
     * The run at {@code offset}: data, or data in a hole of the file, which QEMU reports as zeros for a flat extent.
     * Past the file's end it is data, which a read refuses as truncated.
     */
    @Override
    public Run run(long offset, long maxLength) {
        long host = start + offset;
        if (host >= file.size()) {
            return new Run(Run.Kind.DATA, maxLength, host);
        }
        BlockStatus status = holes().dataStatus(offset, maxLength, host);
        return new Run(status.allocation() == Allocation.DATA_IN_HOLE ? Run.Kind.DATA_IN_HOLE : Run.Kind.DATA,
                status.length(), host);
    }

    private FileHoles holes() {
        FileHoles known = holes;
        if (known == null) {
            synchronized (this) {
                known = holes;
                if (known == null) {
                    known = FileHoles.of(file.path(), file.size());
                    holes = known;
                }
            }
        }
        return known;
    }

    @Override
    public void close() {
        FileHoles known = holes;
        if (known != null) {
            known.close();
        }
    }

    @Override
    public void read(Run run, long offset, ByteBuffer dst) throws IOException {
        long host = start + offset;
        long readable = ((file.size() + 511) & -512L) - host;
        if (dst.remaining() > readable) {
            throw new CorruptImageException(String.format("the %s extent %s is %d bytes, too short for guest bytes "
                    + "at extent offset %d (host offset %d, %d bytes): the file is truncated", type,
                    file.path().getFileName(), file.size(), offset, host, dst.remaining()));
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
        return 0;
    }

    @Override
    public boolean compressed() {
        return false;
    }

    @Override
    public Map<String, Object> info() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("virtual-size", bytes);
        info.put("filename", file.path().toString());
        info.put("format", type);
        return info;
    }
}
