package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.Images;

/** How compressed grains are read: each inflated once for small reads, by any number of threads at once. */
class CompressedGrainsTest {

    private static final int GRAIN = 65536;

    @TempDir
    Path dir;

    private byte[] disk;

    private Image stream() throws Exception {
        disk = Fixtures.content(4 << 20, GRAIN, 21);
        Fixtures.Stream stream = new Fixtures.Stream();
        stream.descriptor = Fixtures.descriptor(1, 0xffffffffL, "streamOptimized", null);
        return Images.open(Fixtures.write(dir.resolve("s.vmdk"), stream.build(disk)));
    }

    private static CompressedGrains grains(Image image) {
        return ((SparseExtent) ((VmdkImage) image).extents().get(0)).compressedGrains();
    }

    private int storedGrains() {
        int stored = 0;
        for (int g = 0; g < disk.length / GRAIN; g++) {
            if (!Fixtures.isZero(disk, (long) g * GRAIN, (long) (g + 1) * GRAIN)) {
                stored++;
            }
        }
        return stored;
    }

    @Test
    void smallReadsOfOneGrainInflateItOnce() throws Exception {
        try (Image image = stream()) {
            ByteBuffer piece = ByteBuffer.allocate(4096);
            for (int at = 0; at < disk.length; at += 4096) {
                image.readFully(piece.clear(), at);
                assertThat(piece.array()).isEqualTo(Arrays.copyOfRange(disk, at, at + 4096));
            }
            assertThat(grains(image).inflations()).isEqualTo(storedGrains());
        }
    }

    @Test
    void wholeGrainsInflateStraightIntoADirectBuffer() throws Exception {
        try (Image image = stream()) {
            int grain = firstStoredGrain();
            ByteBuffer direct = ByteBuffer.allocateDirect(GRAIN);
            image.readFully(direct, (long) grain * GRAIN);
            image.readFully(ByteBuffer.allocate(1), (long) grain * GRAIN);
            // straight into the caller's buffer, so not kept: the small read inflates the grain again
            assertThat(grains(image).inflations()).isEqualTo(2);
            byte[] got = new byte[GRAIN];
            direct.flip().get(got);
            assertThat(got).isEqualTo(Arrays.copyOfRange(disk, grain * GRAIN, (grain + 1) * GRAIN));
        }
    }

    private int firstStoredGrain() {
        for (int g = 0; ; g++) {
            if (!Fixtures.isZero(disk, (long) g * GRAIN, (long) (g + 1) * GRAIN)) {
                return g;
            }
        }
    }

    @Test
    void threadsReadGrainsAtOnce() throws Exception {
        try (Image image = stream()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    long seed = t;
                    results.add(pool.submit(() -> {
                        Random random = new Random(seed);
                        for (int i = 0; i < 300; i++) {
                            int grain = random.nextInt(disk.length / GRAIN);
                            int offset = random.nextBoolean() ? 0 : random.nextInt(GRAIN);
                            int length = offset == 0 ? GRAIN : 1 + random.nextInt(GRAIN - offset);
                            ByteBuffer dst = i % 3 == 0 ? ByteBuffer.allocate(length)
                                    : ByteBuffer.allocateDirect(length);
                            long at = (long) grain * GRAIN + offset;
                            image.readFully(dst, at);
                            byte[] got = new byte[length];
                            dst.flip().get(got);
                            assertThat(got).isEqualTo(Arrays.copyOfRange(disk, (int) at, (int) at + length));
                        }
                        return null;
                    }));
                }
                for (Future<?> result : results) {
                    result.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
