package io.qcow4j.vhd.shared;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.ImageException;
import io.qcow4j.ImageInfo;
import io.qcow4j.spi.ImageErrors;
import io.qcow4j.nativeaccess.FileHoles;
import io.qcow4j.spi.Closeables;
import io.qcow4j.spi.ImageReads;

/**
 * An image whose format maps guest blocks to stored runs, zero runs and runs left to a parent (VHD, VDI, VHDX): the
 * read loop, block status and the parent's share of both, on top of the format's {@link ExtentMap}. Thread-safe with
 * no lock: the map and the storage are.
 */
public final class MappedImage implements Image {

    /** What {@link Image#info()} answers, computed by the format. */
    @FunctionalInterface
    public interface InfoSource {
        ImageInfo info() throws IOException;
    }

    private final String format;
    private final Storage storage;
    private final long size;
    private final ExtentMap map;
    private final Image parent;
    private final InfoSource info;
    private final Closeable resources;
    /** Asked on the first block status query of a data run, not at open: reads never need it. */
    private volatile FileHoles holes;
    private volatile boolean closed;

    /**
     * @param parent    the parent image that {@link Extent.Kind#PARENT} runs read from, or null: they read as zeros
     * @param resources closed with the image (its host file), after the parent
     */
    public MappedImage(String format, Storage storage, long size, ExtentMap map, Image parent, InfoSource info,
                       Closeable resources) {
        this.format = format;
        this.storage = storage;
        this.size = size;
        this.map = map;
        this.parent = parent;
        this.info = info;
        this.resources = resources;
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        int total = ImageReads.readLength(dst, position, size);
        ensureOpen();
        return ImageReads.readInPieces(dst, position, total, storage.path(), this::readPiece);
    }

    private int readPiece(ByteBuffer dst, long at, int max) throws IOException {
        Extent extent = map.extentAt(at, max);
        int length = (int) Math.min(extent.length(), max);
        dst.limit(dst.position() + length);
        switch (extent.kind()) {
            case DATA -> storage.readFully(dst, extent.hostOffset(), "data of guest offset " + at);
            case ZERO -> ImageReads.fillZeros(dst);
            case PARENT -> ImageReads.readBacking(parent, dst, at);
        }
        return length;
    }

    @Override
    public BlockStatus blockStatus(long offset, long maxLength) throws IOException {
        ImageReads.checkStatusQuery(offset, maxLength, size);
        ensureOpen();
        try {
            Extent extent = map.extentAt(offset, Math.min(maxLength, size - offset));
            long length = Math.min(extent.length(), size - offset);
            return switch (extent.kind()) {
                case DATA -> dataStatus(offset, length, extent.hostOffset());
                case ZERO -> new BlockStatus(offset, length, Allocation.ZERO, false, 0, -1);
                case PARENT -> ImageReads.backingStatus(parent, offset, length);
            };
        } catch (ImageException e) {
            throw ImageErrors.naming(storage.path(), e);
        }
    }

    /** Data, or data in a hole of the file, as qemu-img map says of it. */
    private BlockStatus dataStatus(long offset, long length, long hostOffset) {
        if (!storage.holesReadAsZero()) {
            return new BlockStatus(offset, length, Allocation.DATA, false, 0, hostOffset);
        }
        FileHoles known = holes;
        if (known == null) {
            synchronized (this) {
                known = holes;
                if (known == null) {
                    known = FileHoles.of(storage.path(), storage.size());
                    holes = known;
                }
            }
        }
        return known.dataStatus(offset, length, hostOffset);
    }

    @Override
    public ImageInfo info() throws IOException {
        ensureOpen();
        return info.info();
    }

    @Override
    public List<Path> files() {
        return List.of(storage.path());
    }

    @Override
    public Optional<Image> backing() {
        return Optional.ofNullable(parent);
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        Closeables.closeAll(parent, resources, holes);
    }
}
