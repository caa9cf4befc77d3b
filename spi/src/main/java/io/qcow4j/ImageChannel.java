package io.qcow4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.Objects;

/** {@link Image#newChannel()}: a range of the disk as a read-only channel with a position. */
final class ImageChannel implements SeekableByteChannel {

    private final Image image;
    private final long offset;
    private final long length;
    private long position;
    private volatile boolean open = true;

    ImageChannel(Image image, long offset, long length) {
        this.image = image;
        this.offset = offset;
        this.length = length;
    }

    static void checkRange(long offset, long length, long size) {
        Objects.checkFromIndexSize(offset, length, size);
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (position >= length) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int limit = dst.limit();
        dst.limit(dst.position() + (int) Math.min(dst.remaining(), length - position));
        try {
            int n = image.read(dst, offset + position);
            if (n > 0) {
                position += n;
            }
            return n;
        } finally {
            dst.limit(limit);
        }
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public synchronized SeekableByteChannel position(long newPosition) throws IOException {
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position: " + newPosition);
        }
        ensureOpen();
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return length;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
