package io.qcow4j.convert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;

/**
 * An image made up in memory: runs of data (each byte a function of its offset) and runs that read as zero, with a
 * hook called before every read so tests can block or fail reads.
 */
class FakeImage implements Image {

    /** Called before each read with its position. */
    interface ReadHook {
        void beforeRead(long position) throws IOException;
    }

    private final long size;
    private final TreeMap<Long, Allocation> runs = new TreeMap<>();
    private volatile ReadHook hook = position -> { };

    /** An image of {@code size} bytes, all unallocated until {@link #data} marks ranges. */
    FakeImage(long size) {
        this.size = size;
        runs.put(0L, Allocation.UNALLOCATED);
    }

    /** Marks {@code [offset, offset + length)} as data; must be called in increasing order of offset. */
    FakeImage data(long offset, long length) {
        return mark(offset, length, Allocation.DATA);
    }

    /** Marks a range as allocated zeros. */
    FakeImage zero(long offset, long length) {
        return mark(offset, length, Allocation.ZERO);
    }

    private FakeImage mark(long offset, long length, Allocation allocation) {
        Allocation after = allocationAt(offset + length);
        runs.subMap(offset, offset + length).clear();
        runs.put(offset, allocation);
        if (offset + length < size) {
            runs.putIfAbsent(offset + length, after);
        }
        return this;
    }

    FakeImage hook(ReadHook newHook) {
        this.hook = newHook;
        return this;
    }

    /** The byte a data range holds at {@code offset}: never 0 except on 4 KiB boundaries, so zero runs are rare. */
    static byte byteAt(long offset) {
        long x = offset * 0x9E3779B97F4A7C15L;
        return (byte) (x >>> 56);
    }

    private Allocation allocationAt(long offset) {
        Map.Entry<Long, Allocation> entry = runs.floorEntry(offset);
        return entry == null ? Allocation.UNALLOCATED : entry.getValue();
    }

    /** The expected content of the whole image. */
    byte[] expected() {
        byte[] bytes = new byte[Math.toIntExact(size)];
        fill(ByteBuffer.wrap(bytes), 0);
        return bytes;
    }

    /** Fills {@code dst} with the bytes from {@code position}, a run at a time. */
    private void fill(ByteBuffer dst, long position) {
        long at = position;
        while (dst.hasRemaining()) {
            Long next = runs.higherKey(at);
            long runEnd = Math.min(next == null ? size : next, at + dst.remaining());
            boolean data = allocationAt(at) == Allocation.DATA;
            for (; at < runEnd; at++) {
                dst.put(data ? byteAt(at) : 0);
            }
        }
    }

    @Override
    public String format() {
        return "fake";
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        if (position < 0) {
            throw new IllegalArgumentException("negative position " + position);
        }
        if (position >= size) {
            return -1;
        }
        hook.beforeRead(position);
        int n = (int) Math.min(dst.remaining(), size - position);
        ByteBuffer part = dst.slice().limit(n);
        fill(part, position);
        dst.position(dst.position() + n);
        return n;
    }

    @Override
    public BlockStatus blockStatus(long offset, long maxLength) {
        if (offset < 0 || offset >= size || maxLength < 1) {
            throw new IllegalArgumentException("offset " + offset + " maxLength " + maxLength);
        }
        Map.Entry<Long, Allocation> entry = runs.floorEntry(offset);
        Long next = runs.higherKey(offset);
        long end = next == null ? size : next;
        return new BlockStatus(offset, Math.min(end - offset, maxLength), entry.getValue(), false, 0, -1);
    }

    @Override
    public ImageInfo info() {
        return new ImageInfo("fake", Path.of("fake-image"), size, 0, 0, false, null, null, null, List.of(), Map.of());
    }

    @Override
    public Optional<Image> backing() {
        return Optional.empty();
    }

    @Override
    public void close() {
    }
}
