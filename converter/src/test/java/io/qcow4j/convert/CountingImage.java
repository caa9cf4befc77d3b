package io.qcow4j.convert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;

/** Passes everything to another image, counting reads and the bytes they asked for. */
final class CountingImage implements Image {

    private final Image image;
    final AtomicLong reads = new AtomicLong();
    final AtomicLong bytesAsked = new AtomicLong();
    final AtomicLong statusCalls = new AtomicLong();

    CountingImage(Image image) {
        this.image = image;
    }

    @Override
    public String format() {
        return image.format();
    }

    @Override
    public long size() {
        return image.size();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        reads.incrementAndGet();
        bytesAsked.addAndGet(dst.remaining());
        return image.read(dst, position);
    }

    @Override
    public BlockStatus blockStatus(long offset, long maxLength) throws IOException {
        statusCalls.incrementAndGet();
        return image.blockStatus(offset, maxLength);
    }

    @Override
    public ImageInfo info() throws IOException {
        return image.info();
    }

    @Override
    public Optional<Image> backing() {
        return image.backing();
    }

    @Override
    public void close() throws IOException {
        image.close();
    }
}
