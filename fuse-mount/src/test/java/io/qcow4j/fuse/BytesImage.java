package io.qcow4j.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;

/**
 * An image held in memory: the first {@code dataLength} bytes are data, the rest reads as zero; reads touching
 * {@code [badFrom, badTo)} fail, as a corrupt cluster would.
 */
final class BytesImage implements Image {

    private final byte[] bytes;
    private final long dataLength;
    private final long badFrom;
    private final long badTo;
    /** Every thread that has read, to see who serves the requests. */
    final java.util.Set<Thread> readingThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** All data, and every read succeeds. */
    static BytesImage of(byte[] bytes) {
        return new BytesImage(bytes, bytes.length, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    BytesImage(byte[] bytes, long dataLength, long badFrom, long badTo) {
        this.bytes = bytes;
        this.dataLength = dataLength;
        this.badFrom = badFrom;
        this.badTo = badTo;
    }

    @Override
    public String format() {
        return "bytes";
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        readingThreads.add(Thread.currentThread());
        if (position >= bytes.length) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), bytes.length - position);
        if (position < badTo && position + n > badFrom) {
            throw new IOException("corrupt cluster at " + badFrom);
        }
        dst.put(bytes, (int) position, n);
        return n;
    }

    @Override
    public BlockStatus blockStatus(long offset, long maxLength) {
        if (offset < dataLength) {
            return new BlockStatus(offset, Math.min(maxLength, dataLength - offset), Allocation.DATA, false, 0, -1);
        }
        return new BlockStatus(offset, Math.min(maxLength, bytes.length - offset), Allocation.ZERO, false, 0, -1);
    }

    @Override
    public ImageInfo info() {
        return new ImageInfo("bytes", null, bytes.length, 0, 0, false, null, null, null, List.of(), Map.of());
    }

    @Override
    public Optional<Image> backing() {
        return Optional.empty();
    }

    @Override
    public void close() {
    }
}
