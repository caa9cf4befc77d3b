package io.qcow4j.qcow2.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.ImageExerciser;

/**
 * Fuzzes valid images with a few big-endian fields overwritten, mostly in the metadata, and sometimes a cut: where
 * {@link Qcow2FuzzTest} mutates whole files (most of whose bytes are data), this one spends its executions on the
 * structures a reader trusts. Same contract: only an {@link IOException} with a message may come out.
 *
 * <p>To fuzz: as in {@link Qcow2FuzzTest}, with {@code -Dtest=Qcow2PatchFuzzTest}.
 */
class Qcow2PatchFuzzTest {

    private static final String SEED_DIR = "Qcow2FuzzTestInputs/openAndRead/";
    private static final List<String> SEED_NAMES = List.of("v2-512.qcow2", "v3-512.qcow2", "v2-4k-deflate.qcow2",
            "v3-4k-deflate.qcow2", "v3-4k-zstd.qcow2", "v3-512-snapshot.qcow2", "v3-16k-extl2.qcow2",
            "v3-512-backing.qcow2", "v3-512-bitmap.qcow2", "v3-512-datafile.qcow2");
    private static final List<byte[]> SEEDS = load();
    private static final int[] WIDTHS = {1, 2, 4, 8};

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "60s")
    void patchAndRead(FuzzedDataProvider data) throws IOException {
        byte[] image = SEEDS.get(data.consumeInt(0, SEEDS.size() - 1)).clone();
        int patches = data.consumeInt(1, 6);
        for (int i = 0; i < patches; i++) {
            int width = WIDTHS[data.consumeInt(0, WIDTHS.length - 1)];
            // half the patches land in cluster 0's first 512 bytes (header and extensions), half anywhere
            int limit = data.consumeBoolean() ? Math.min(512, image.length) : image.length;
            int at = data.consumeInt(0, limit - width);
            long value = data.consumeLong();
            for (int b = 0; b < width; b++) {
                image[at + b] = (byte) (value >>> (8 * (width - 1 - b)));
            }
        }
        if (data.consumeBoolean()) {
            image = Arrays.copyOf(image, data.consumeInt(0, image.length));
        }
        Path file = dir.resolve("patched.qcow2");
        Files.write(file, image);
        ImageExerciser.fuzzOne(file);
    }

    private static List<byte[]> load() {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : SEED_NAMES) {
            try (InputStream in = Qcow2PatchFuzzTest.class.getResourceAsStream(SEED_DIR + name)) {
                if (in == null) {
                    throw new IllegalStateException("missing seed image " + SEED_DIR + name);
                }
                seeds.add(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(seeds);
    }
}
