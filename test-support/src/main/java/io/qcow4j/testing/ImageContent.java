package io.qcow4j.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Writes guest content for test images: a seeded mix of incompressible bytes, compressible text and zero runs, so
 * that every kind of cluster appears when qemu-img converts it.
 */
public final class ImageContent {

    private ImageContent() {
    }

    /**
     * Writes {@code size} bytes of mixed content to a new sparse raw file: the zero runs are left as holes.
     *
     * @param raw the file to write
     * @param size its size in bytes
     * @param seed the random content's seed
     * @return {@code raw}
     * @throws IOException when the file cannot be written
     */
    public static Path writeRaw(Path raw, long size, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] text = ("qcow4j test image, seed " + seed + ": the quick brown fox jumps over the lazy dog. ")
                .getBytes(StandardCharsets.US_ASCII);
        try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.truncate(0);
            long at = 0;
            while (at < size) {
                int length = (int) Math.min(size - at, 512 + random.nextInt(192 * 1024));
                int kind = random.nextInt(3);
                if (kind != 2) {
                    byte[] chunk = new byte[length];
                    if (kind == 0) {
                        random.nextBytes(chunk);
                    } else {
                        for (int i = 0; i < length; i++) {
                            chunk[i] = text[(int) ((at + i) % text.length)];
                        }
                    }
                    ByteBuffer buffer = ByteBuffer.wrap(chunk);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer, at + buffer.position());
                    }
                }
                at += length;
            }
            if (channel.size() < size) {
                channel.write(ByteBuffer.allocate(1), size - 1);
            }
        }
        return raw;
    }
}
