package io.qcow4j.qcow2;

import java.io.Closeable;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.internal.SparseFileMap;
import io.qcow4j.spi.HostFile;

/**
 * The holes of the file that stores an image's data clusters, consulted for block status only where QEMU consults
 * them ({@link MetadataPreallocation}): a data cluster whose bytes lie in a hole reads as zero without being read.
 */
final class HostHoles implements Closeable {

    /** For images where QEMU does not look: every data cluster is data. */
    static final HostHoles NONE = new HostHoles(null, 0);

    private final SparseFileMap map;
    private final long fileSize;

    private HostHoles(SparseFileMap map, long fileSize) {
        this.map = map;
        this.fileSize = fileSize;
    }

    static HostHoles of(HostFile image, HostFile dataFile, Qcow2Header header) {
        if (!MetadataPreallocation.detected(image, header)) {
            return NONE;
        }
        return new HostHoles(SparseFileMap.open(dataFile.path()), dataFile.size());
    }

    /** The status of the data run of {@code length} guest bytes at {@code offset}, stored at {@code hostOffset}. */
    BlockStatus dataStatus(long offset, long length, long hostOffset) {
        if (map == null) {
            return new BlockStatus(offset, length, Allocation.DATA, false, 0, hostOffset);
        }
        if (hostOffset >= fileSize) {
            // past the end of a truncated file: the bytes read as zeros, and QEMU's file layer says so
            return new BlockStatus(offset, length, Allocation.DATA_IN_HOLE, false, 0, hostOffset);
        }
        SparseFileMap.Run run = map.runAt(hostOffset, fileSize);
        long runLength = Math.min(length, run.end() - hostOffset);
        return new BlockStatus(offset, runLength, run.hole() ? Allocation.DATA_IN_HOLE : Allocation.DATA, false, 0,
                hostOffset);
    }

    @Override
    public void close() {
        if (map != null) {
            map.close();
        }
    }
}
