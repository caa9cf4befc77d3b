package io.qcow4j.qcow2;

import java.io.Closeable;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.nativeaccess.FileHoles;
import io.qcow4j.spi.HostFile;

/**
 * The holes of the file that stores an image's data clusters, consulted for block status only where QEMU consults
 * them ({@link MetadataPreallocation}): a data cluster whose bytes lie in a hole reads as zero without being read.
 */
final class HostHoles implements Closeable {

    /** For images where QEMU does not look: every data cluster is data. */
    static final HostHoles NONE = new HostHoles(null);

    private final FileHoles holes;

    private HostHoles(FileHoles holes) {
        this.holes = holes;
    }

    static HostHoles of(HostFile image, HostFile dataFile, Qcow2Header header) {
        if (!MetadataPreallocation.detected(image, header)) {
            return NONE;
        }
        return new HostHoles(FileHoles.of(dataFile.path(), dataFile.size()));
    }

    /** The status of the data run of {@code length} guest bytes at {@code offset}, stored at {@code hostOffset}. */
    BlockStatus dataStatus(long offset, long length, long hostOffset) {
        return holes == null ? new BlockStatus(offset, length, Allocation.DATA, false, 0, hostOffset)
                : holes.dataStatus(offset, length, hostOffset);
    }

    @Override
    public void close() {
        if (holes != null) {
            holes.close();
        }
    }
}
