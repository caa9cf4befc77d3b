package io.qcow4j.parallels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;
import io.qcow4j.spi.Closeables;
import io.qcow4j.spi.ImageReads;

/**
 * A disk split into storages, each an image of its own covering a range (an older Parallels bundle): reads and
 * block status go to the part that holds the range. Thread-safe as its parts are.
 */
final class SplitDisk implements Image {

    /** A part and the guest offset where it starts. */
    record Part(long start, Image image) {
    }

    private final List<Part> parts;
    private final long size;

    SplitDisk(List<Part> parts, long size) {
        this.parts = List.copyOf(parts);
        this.size = size;
    }

    @Override
    public String format() {
        return ParallelsFormatProvider.NAME;
    }

    @Override
    public long size() {
        return size;
    }

    private Part partAt(long offset) {
        int low = 0;
        int high = parts.size() - 1;
        while (low < high) {
            int middle = (low + high + 1) >>> 1;
            if (parts.get(middle).start() <= offset) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return parts.get(low);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        int total = ImageReads.readLength(dst, position, size);
        if (total <= 0) {
            return total;
        }
        int savedLimit = dst.limit();
        try {
            int done = 0;
            while (done < total) {
                Part part = partAt(position + done);
                long inPart = position + done - part.start();
                int length = (int) Math.min(total - done, part.image().size() - inPart);
                dst.limit(dst.position() + length);
                part.image().readFully(dst, inPart);
                done += length;
            }
            return total;
        } finally {
            dst.limit(savedLimit);
        }
    }

    @Override
    public BlockStatus blockStatus(long offset, long maxLength) throws IOException {
        ImageReads.checkStatusQuery(offset, maxLength, size);
        Part part = partAt(offset);
        long inPart = offset - part.start();
        BlockStatus status = part.image().blockStatus(inPart, Math.min(maxLength, part.image().size() - inPart));
        return new BlockStatus(offset, status.length(), status.allocation(), status.compressed(), status.depth(),
                status.hostOffset());
    }

    @Override
    public ImageInfo info() throws IOException {
        ImageInfo first = parts.get(0).image().info();
        long actual = 0;
        for (Part part : parts) {
            actual += part.image().info().actualSize();
        }
        return new ImageInfo(format(), first.filename(), size, actual, 0, false, null, null, null, List.of(),
                first.formatSpecific());
    }

    @Override
    public List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Part part : parts) {
            files.addAll(part.image().files());
        }
        return files;
    }

    @Override
    public Optional<Image> backing() {
        return Optional.empty();
    }

    @Override
    public void close() throws IOException {
        Closeables.closeAll(parts.stream().map(Part::image).toArray(Image[]::new));
    }
}
