package io.qcow4j.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Readers at random offsets of a mounted file, at once, each checking what it reads against the expected bytes. */
final class RandomReads {

    private RandomReads() {
    }

    /**
     * Runs {@code threads} readers at once, reader {@code i} seeded with {@code firstSeed + i}, each making
     * {@code reads} reads of 1 to {@code maxLength} bytes; fails with a reader's failure.
     */
    static void concurrently(Path file, byte[] expected, int threads, long firstSeed, int reads, int maxLength)
            throws Exception {
        ExecutorService readers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = firstSeed + t;
                results.add(readers.submit(() -> read(file, expected, seed, reads, maxLength)));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(reads);
            }
        } finally {
            readers.shutdownNow();
        }
    }

    /** @return how many reads were checked */
    private static int read(Path file, byte[] expected, long seed, int reads, int maxLength) throws IOException {
        Random random = new Random(seed);
        int checked = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int i = 0; i < reads; i++) {
                int length = 1 + random.nextInt(maxLength);
                long offset = random.nextInt(expected.length);
                ByteBuffer buffer = ByteBuffer.allocate(length);
                while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) > 0) {
                    // short reads continue where they stopped
                }
                int n = (int) Math.min(length, expected.length - offset);
                assertThat(buffer.position()).isEqualTo(n);
                assertThat(ByteBuffer.wrap(buffer.array(), 0, n)).isEqualTo(ByteBuffer.wrap(expected, (int) offset, n));
                checked++;
            }
        }
        return checked;
    }
}
