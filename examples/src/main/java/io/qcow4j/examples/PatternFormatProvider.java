package io.qcow4j.examples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;
import io.qcow4j.OpenOptions;
import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.spi.ProbeResult;

/**
 * A format of our own, to show how a provider plugs in: a one-line text file {@code qcow4j-pattern SIZE BYTE} (such
 * as {@code qcow4j-pattern 1048576 171}) is a disk of SIZE bytes that all hold BYTE.
 *
 * <p>A provider is found through {@link java.util.ServiceLoader}: list its class name in
 * {@code META-INF/services/io.qcow4j.spi.ImageFormatProvider} of a jar on the class path, and {@code Images.open}
 * and every command of {@code qcow2} read the format. This one is registered only on the examples' test class path.
 */
public final class PatternFormatProvider implements ImageFormatProvider {

    private static final String MAGIC = "qcow4j-pattern ";

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
        String[] fields = Files.readString(path, StandardCharsets.US_ASCII).trim().split(" ");
        try {
            return new PatternImage(path, Long.parseLong(fields[1]), (byte) Integer.parseInt(fields[2]));
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new CorruptImageException("expected '" + MAGIC + "SIZE BYTE'", e);
        }
    }

    /** The disk: no state but its size and byte, so it is trivially thread-safe. */
    private record PatternImage(Path path, long size, byte value) implements Image {

        @Override
        public String format() {
            return "pattern";
        }

        @Override
        public int read(ByteBuffer dst, long position) {
            if (position < 0) {
                throw new IllegalArgumentException("negative position: " + position);
            }
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), size - position);
            for (int i = 0; i < n; i++) {
                dst.put(value);
            }
            return n;
        }

        @Override
        public BlockStatus blockStatus(long offset, long maxLength) {
            Objects.checkIndex(offset, size);
            Allocation allocation = value == 0 ? Allocation.ZERO : Allocation.DATA;
            return new BlockStatus(offset, Math.min(maxLength, size - offset), allocation, false, 0, -1);
        }

        @Override
        public ImageInfo info() throws IOException {
            return new ImageInfo("pattern", path, size, Files.size(path), 0, false, null, null, null, List.of(),
                    Map.of());
        }

        @Override
        public Optional<Image> backing() {
            return Optional.empty();
        }

        @Override
        public void close() {
            // nothing to release
        }
    }
}
