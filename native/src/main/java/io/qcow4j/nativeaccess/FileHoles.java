package io.qcow4j.nativeaccess;

import java.io.Closeable;
import java.nio.file.Path;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;

/**
 * The holes of a file that stores an image's data as it is (a fixed VHD, a static VDI, a flat VMDK extent, a qcow2
 * data file), which QEMU's block status asks of the file below a format: data stored in a hole reads as zero
 * without being read, and {@code qemu-img map} says {@code "zero": true} there. Where the platform cannot tell holes,
 * every run is data.
 */
public final class FileHoles implements Closeable {

    private final SparseFileMap map;
    private final long fileSize;

    private FileHoles(SparseFileMap map, long fileSize) {
        this.map = map;
        this.fileSize = fileSize;
    }

    /** The holes of {@code file}, {@code fileSize} bytes long as the image opened it. */
    public static FileHoles of(Path file, long fileSize) {
        return new FileHoles(SparseFileMap.open(file), fileSize);
    }

    /**
     * The status of a run of {@code length} guest bytes at {@code offset} stored at {@code hostOffset}: data, or data
     * in a hole, up to where the file changes from one to the other. Past the end of a truncated file the bytes read
     * as zeros, and QEMU's file layer says so.
     */
    public BlockStatus dataStatus(long offset, long length, long hostOffset) {
        if (hostOffset >= fileSize) {
            return new BlockStatus(offset, length, Allocation.DATA_IN_HOLE, false, 0, hostOffset);
        }
        SparseFileMap.Run run = map.runAt(hostOffset, fileSize);
        long runLength = Math.min(length, run.end() - hostOffset);
        return new BlockStatus(offset, runLength, run.hole() ? Allocation.DATA_IN_HOLE : Allocation.DATA, false, 0,
                hostOffset);
    }

    @Override
    public void close() {
        map.close();
    }
}
