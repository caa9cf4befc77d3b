package io.qcow4j.examples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.CorruptImageException;
import io.qcow4j.FileReference;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;
import io.qcow4j.OpenOptions;
import io.qcow4j.spi.BackingFile;
import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.ImageReads;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.spi.ProbeResult;

/**
 * A format of our own, to show how a provider plugs in, backing file included. A text file
 * <pre>
 * qcow4j-pattern SIZE BYTE
 * backing NAME [FORMAT]       (optional)
 * </pre>
 * is a disk of SIZE bytes that all hold BYTE; with a backing file, only its first 512-byte sector does (a boot
 * sector patched over a base image), and the backing image supplies the rest.
 *
 * <p>The backing file is opened through the {@link OpenContext}, never directly: the context finds the file as QEMU
 * would, asks the host's {@link io.qcow4j.FilePolicy}, and keeps the whole chain (whatever its formats) free of loops
 * and within the options' depth and memory limits.
 *
 * <p>A provider is found through {@link java.util.ServiceLoader}: this jar lists the class in
 * {@code META-INF/services/io.qcow4j.spi.ImageFormatProvider}, so with it on the class path {@code Images.open}
 * reads the format; a host may also hand it to {@code ImageFormats.of(...)}.
 */
public final class PatternFormatProvider implements ImageFormatProvider {

    private static final String MAGIC = "qcow4j-pattern ";
    private static final int SECTOR = 512;

    @Override
    public String name() {
        return "pattern";
    }

    @Override
    public ProbeResult probe(ByteBuffer start) {
        byte[] magic = MAGIC.getBytes(StandardCharsets.US_ASCII);
        if (start.remaining() < magic.length) {
            return ProbeResult.NOT_RECOGNIZED;
        }
        byte[] head = new byte[magic.length];
        start.get(head);
        return Arrays.equals(head, magic) ? ProbeResult.RECOGNIZED : ProbeResult.NOT_RECOGNIZED;
    }

    @Override
    public Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
        String[] fields = lines.isEmpty() ? new String[0] : lines.get(0).trim().split(" +");
        long size;
        byte value;
        try {
            size = Long.parseLong(fields[1]);
            value = (byte) Integer.parseInt(fields[2]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new CorruptImageException("expected '" + MAGIC + "SIZE BYTE'", e);
        }
        String backingName = null;
        String backingFormat = null;
        if (lines.size() > 1 && lines.get(1).startsWith("backing ")) {
            String[] words = lines.get(1).trim().split(" +");
            backingName = words[1];
            backingFormat = words.length > 2 ? words[2] : null;
        }
        // opened where the options follow backing files, else only shown to the host's policy
        BackingFile backing = backingName == null ? new BackingFile(null, null)
                : context.backing(context.reference(path, backingName, FileReference.Role.BACKING), backingFormat);
        ImageInfo info = new ImageInfo("pattern", path, size, Files.size(path), 0, false, backingName, backing.path(),
                backingFormat, List.of(), Map.of());
        return new PatternImage(info, value, backing.image());
    }

    /**
     * The disk: no state but its size, byte and backing image, so it is as thread-safe as the backing image.
     *
     * @param patterned how many bytes from the start hold the pattern: all, or the first sector over a backing file
     */
    private record PatternImage(ImageInfo info, byte value, Image below, long patterned) implements Image {

        PatternImage(ImageInfo info, byte value, Image below) {
            this(info, value, below, info.backingFilename() == null ? info.virtualSize()
                    : Math.min(SECTOR, info.virtualSize()));
        }

        @Override
        public String format() {
            return "pattern";
        }

        @Override
        public long size() {
            return info.virtualSize();
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            // FileChannel's rules: -1 at the end, IllegalArgumentException for a negative position
            int n = ImageReads.readLength(dst, position, size());
            if (n < 0) {
                return -1;
            }
            int limit = dst.limit();
            try {
                for (long at = position, end = position + n; at < end; ) {
                    // the pattern, then what the backing image holds (zeros where it has nothing)
                    long stop = at < patterned ? Math.min(end, patterned) : end;
                    dst.limit(dst.position() + (int) (stop - at));
                    if (at < patterned) {
                        while (dst.hasRemaining()) {
                            dst.put(value);
                        }
                    } else {
                        ImageReads.readBacking(below, dst, at);
                    }
                    at = stop;
                }
            } finally {
                dst.limit(limit);
            }
            return n;
        }

        @Override
        public BlockStatus blockStatus(long offset, long maxLength) throws IOException {
            ImageReads.checkStatusQuery(offset, maxLength, size());
            long end = Math.min(size(), offset + maxLength);
            if (offset < patterned) {
                Allocation allocation = value == 0 ? Allocation.ZERO : Allocation.DATA;
                return new BlockStatus(offset, Math.min(end, patterned) - offset, allocation, false, 0, -1);
            }
            // the backing image's status, one level deeper; unallocated where there is none
            return ImageReads.backingStatus(below, offset, end - offset);
        }

        @Override
        public List<Path> files() {
            return List.of(info.filename());
        }

        @Override
        public Optional<Image> backing() {
            return Optional.ofNullable(below);
        }

        @Override
        public void close() throws IOException {
            if (below != null) {
                below.close();
            }
        }
    }
}
