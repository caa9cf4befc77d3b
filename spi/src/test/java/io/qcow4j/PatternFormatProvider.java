package io.qcow4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.spi.ProbeResult;

/**
 * A provider that only the test class path registers: files starting with "PATTERN:" and a decimal size are disks
 * whose byte i is {@code i % 251}. It proves that a provider dropped on the class path is found with no code change.
 */
public final class PatternFormatProvider implements ImageFormatProvider {

    static final String MAGIC = "PATTERN:";

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
        return java.util.Arrays.equals(head, magic) ? ProbeResult.RECOGNIZED : ProbeResult.NOT_RECOGNIZED;
    }

    @Override
    public Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        String text = Files.readString(path, StandardCharsets.US_ASCII).trim();
        if (!text.startsWith(MAGIC)) {
            throw new CorruptImageException(path + ": no " + MAGIC + " header");
        }
        long size = Long.parseLong(text.substring(MAGIC.length()));
        return new PatternImage(path, size);
    }

    /** byte i is i % 251; all of it is data. */
    record PatternImage(Path path, long size) implements Image {

        @Override
        public String format() {
            return "pattern";
        }

        @Override
        public int read(ByteBuffer dst, long position) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), size - position);
            for (int i = 0; i < n; i++) {
                dst.put((byte) ((position + i) % 251));
            }
            return n;
        }

        @Override
        public BlockStatus blockStatus(long offset, long maxLength) {
            Objects.checkIndex(offset, size);
            long length = Math.min(maxLength, Math.min(size - offset, 4096 - offset % 4096));
            return new BlockStatus(offset, length, Allocation.DATA, false, 0, -1);
        }

        @Override
        public ImageInfo info() {
            return new ImageInfo("pattern", path, size, 0, 0, false, null, null, null, List.of(), Map.of());
        }

        @Override
        public Optional<Image> backing() {
            return Optional.empty();
        }

        @Override
        public void close() {
        }
    }
}
