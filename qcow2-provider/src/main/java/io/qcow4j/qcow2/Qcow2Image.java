package io.qcow4j.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.ImageException;
import io.qcow4j.ImageInfo;
import io.qcow4j.spi.Closeables;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.ImageErrors;
import io.qcow4j.spi.ImageReads;

/** An open qcow2 image (its active layer or one snapshot), thread-safe with no lock on the read path. */
final class Qcow2Image implements Image {

    private final Qcow2Metadata metadata;
    private final HostFile file;
    private final HostFile dataFile;
    private final ClusterMap map;
    private final CompressedClusters compressed;
    private final Image backing;
    private final long size;
    /** Asked on the first block status query of a data cluster, not at open: reads never need it. */
    private volatile HostHoles holes;
    private volatile boolean closed;

    Qcow2Image(Qcow2Metadata metadata, HostFile file, HostFile dataFile, ClusterMap map,
               CompressedClusters compressed, Image backing, long size) {
        this.metadata = metadata;
        this.file = file;
        this.dataFile = dataFile;
        this.map = map;
        this.compressed = compressed;
        this.backing = backing;
        this.size = size;
    }

    @Override
    public String format() {
        return Qcow2FormatProvider.NAME;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        int total = ImageReads.readLength(dst, position, size);
        ensureOpen();
        return ImageReads.readInPieces(dst, position, total, metadata.path(), this::readPiece);
    }

    private int readPiece(ByteBuffer dst, long at, int max) throws IOException {
        Extent extent = map.extentAt(at, max);
        int length = (int) extent.length();
        dst.limit(dst.position() + length);
        switch (extent.kind()) {
            case DATA -> readStored(dst, extent.hostOffset(), at);
            case COMPRESSED -> compressed.copy(extent.compressedEntry(), (int) (at & metadata.geometry().clusterMask()),
                    dst, length);
            case ZERO -> ImageReads.fillZeros(dst);
            case UNALLOCATED -> ImageReads.readBacking(backing, dst, at);
        }
        return length;
    }

    /** Fills {@code dst} from the data file; the part of a cluster past the file's end reads as zeros, as in QEMU. */
    private void readStored(ByteBuffer dst, long hostOffset, long guestOffset) throws IOException {
        if (hostOffset >= dataFile.size()) {
            throw new CorruptImageException(String.format("Image is corrupt: data for guest offset %d is at host "
                    + "offset %#x, past the end of the %d-byte file %s (truncated image?)", guestOffset,
                    hostOffset, dataFile.size(), dataFile.path().getFileName()));
        }
        dataFile.readAvailable(dst, hostOffset);
        ImageReads.fillZeros(dst);
    }

    @Override
    public BlockStatus blockStatus(long offset, long maxLength) throws IOException {
        ImageReads.checkStatusQuery(offset, maxLength, size);
        ensureOpen();
        try {
            Extent extent = map.extentAt(offset, Math.min(maxLength, size - offset));
            long length = extent.length();
            return switch (extent.kind()) {
                case DATA -> holes().dataStatus(offset, length, extent.hostOffset());
                case COMPRESSED -> new BlockStatus(offset, length, Allocation.DATA, true, 0, -1);
                case ZERO -> new BlockStatus(offset, length, Allocation.ZERO, false, 0, extent.hostOffset());
                case UNALLOCATED -> backingStatus(offset, length, extent.hostOffset());
            };
        } catch (ImageException e) {
            throw ImageErrors.naming(metadata.path(), e);
        }
    }

    private HostHoles holes() {
        HostHoles known = holes;
        if (known == null) {
            synchronized (this) {
                known = holes;
                if (known == null) {
                    known = HostHoles.of(file, dataFile, metadata.header());
                    holes = known;
                }
            }
        }
        return known;
    }

    private BlockStatus backingStatus(long offset, long length, long hostOffset) throws IOException {
        if (backing == null || offset >= backing.size()) {
            return new BlockStatus(offset, length, Allocation.UNALLOCATED, false, 0, hostOffset);
        }
        return backing.blockStatus(offset, Math.min(length, backing.size() - offset)).deeper();
    }

    @Override
    public ImageInfo info() throws IOException {
        ensureOpen();
        return metadata.info(size);
    }

    @Override
    public List<Path> files() {
        return dataFile == file ? List.of(file.path()) : List.of(file.path(), dataFile.path());
    }

    @Override
    public Optional<Image> backing() {
        return Optional.ofNullable(backing);
    }

    CompressedClusters compressedClusters() {
        return compressed;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        Closeables.closeAll(file, dataFile != file ? dataFile : null, backing, holes);
    }
}
