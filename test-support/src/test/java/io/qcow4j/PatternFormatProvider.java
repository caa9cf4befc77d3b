package io.qcow4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.spi.ProbeResult;
import io.qcow4j.testing.BytePattern;
import io.qcow4j.testing.MemoryImage;

/**
 * A provider that only the test class path registers: files starting with "PATTERN:" and a decimal size are disks
 * whose byte i is {@code i % 251}. It proves that a provider dropped on the class path is found with no code change.
 */
public final class PatternFormatProvider implements ImageFormatProvider {

    static final String MAGIC = "PATTERN:";
    private static final long BLOCK = 4096;

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
        MemoryImage.Builder image = MemoryImage.builder(size).format(name()).file(path);
        // a run per 4 KiB, each answered on its own as a format looks its blocks up: map has runs to merge
        for (long at = 0; at < size; at += BLOCK) {
            image.data(at, Math.min(BLOCK, size - at), BytePattern.modulo(251));
        }
        return image.build();
    }
}
