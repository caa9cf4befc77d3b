package io.qcow4j.raw;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.qcow4j.internal.FileAllocation;
import io.qcow4j.internal.SparseFileMap;
import io.qcow4j.spi.Allocation;
import io.qcow4j.spi.BlockStatus;
import io.qcow4j.spi.Image;
import io.qcow4j.spi.ImageInfo;

/** A raw file read as a disk; holes of a sparse file report as zero. */
final class RawImage implements Image {

    private final Path path;
    private final FileChannel channel;
    private final SparseFileMap holes;
    private final long size;

    private RawImage(Path path, FileChannel channel, SparseFileMap holes, long size) {
        this.path = path;
        this.channel = channel;
        this.holes = holes;
        this.size = size;
    }

    static RawImage open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new RawImage(path, channel, SparseFileMap.open(path), channel.size());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
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
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        if (position >= size) {
            return -1;
        }
        int wanted = (int) Math.min(dst.remaining(), size - position);
        int savedLimit = dst.limit();
        dst.limit(dst.position() + wanted);
        try {
            int total = 0;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, position + total);
                if (n < 0) {
                    // the file shrank under us: what was the disk's end reads as zeros, as for a sparse tail
                    while (dst.hasRemaining()) {
                        dst.put((byte) 0);
                        total++;
                    }
                    break;
                }
                total += n;
            }
            return total;
        } finally {
            dst.limit(savedLimit);
        }
    }

    @Override
    public BlockStatus blockStatus(long offset, long maxLength) {
        Objects.checkIndex(offset, size);
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
        SparseFileMap.Run run = holes.runAt(offset, size);
        long length = Math.min(run.end() - offset, maxLength);
        return new BlockStatus(offset, length, run.hole() ? Allocation.ZERO : Allocation.DATA, false, 0, offset);
    }

    @Override
    public ImageInfo info() throws IOException {
        return new ImageInfo(RawFormatProvider.NAME, path, size, FileAllocation.allocatedBytes(path), 0, false,
                null, null, null, List.of(), Map.of());
    }

    @Override
    public Optional<Image> backing() {
        return Optional.empty();
    }

    @Override
    public void close() throws IOException {
        try {
            holes.close();
        } finally {
            channel.close();
        }
    }
}
