package io.qcow4j.raw;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;
import io.qcow4j.nativeaccess.FileAllocation;
import io.qcow4j.nativeaccess.SparseFileMap;
import io.qcow4j.spi.Closeables;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.ImageReads;

/**
 * A raw file read as a disk; holes of a sparse file report as zero. The disk is the file rounded up to whole 512-byte
 * sectors, as QEMU sees it: the bytes past the file's end read as zeros.
 */
final class RawImage implements Image {

    private static final long SECTOR = 512;

    private final HostFile file;
    private final SparseFileMap holes;
    private final long size;

    private RawImage(HostFile file, SparseFileMap holes) {
        this.file = file;
        this.holes = holes;
        this.size = (file.size() + SECTOR - 1) & -SECTOR;
    }

    static RawImage open(Path path) throws IOException {
        return HostFile.openFor(path, file -> new RawImage(file, SparseFileMap.open(path)));
    }

    @Override
    public String format() {
        return RawFormatProvider.NAME;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        int length = ImageReads.readLength(dst, position, size());
        if (length < 0) {
            return -1;
        }
        int savedLimit = dst.limit();
        dst.limit(dst.position() + length);
        try {
            file.readAvailable(dst, position);
            // the partial sector past the file's end, or a file that shrank under us: zeros, as for a sparse tail
            ImageReads.fillZeros(dst);
            return length;
        } finally {
            dst.limit(savedLimit);
        }
    }

    @Override
    public BlockStatus blockStatus(long offset, long maxLength) {
        ImageReads.checkStatusQuery(offset, maxLength, size());
        long fileSize = file.size();
        if (offset >= fileSize) {
            // the rest of the last sector, past the file's end
            return new BlockStatus(offset, Math.min(size - offset, maxLength), Allocation.ZERO, false, 0, offset);
        }
        SparseFileMap.Run run = holes.runAt(offset, fileSize);
        long length = Math.min(run.end() - offset, maxLength);
        return new BlockStatus(offset, length, run.hole() ? Allocation.ZERO : Allocation.DATA, false, 0, offset);
    }

    @Override
    public ImageInfo info() throws IOException {
        return new ImageInfo(RawFormatProvider.NAME, file.path(), size(), FileAllocation.allocatedBytes(file.path()),
                0, false, null, null, null, List.of(), Map.of());
    }

    @Override
    public Optional<Image> backing() {
        return Optional.empty();
    }

    @Override
    public void close() throws IOException {
        Closeables.closeAll(holes, file);
    }
}
