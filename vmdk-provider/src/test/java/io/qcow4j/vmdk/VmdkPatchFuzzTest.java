package io.qcow4j.vmdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes valid files with a few little-endian fields overwritten, mostly in their first sectors, and sometimes a
 * cut: where {@link VmdkFuzzTest} mutates whole files, this one spends its executions on the structures a reader
 * trusts. It also puts the extent seeds (COWD, seSparse, a hosted extent) behind a descriptor that names them, which
 * a single file cannot reach. Same contract: only an {@link IOException} with a message may come out.
 *
 * <p>To fuzz: as in {@link VmdkFuzzTest}, with {@code -Dtest=VmdkPatchFuzzTest}.
 */
class VmdkPatchFuzzTest {

    private static final List<String> SEED_NAMES = List.of("VmdkFuzzTestInputs/openAndRead/sparse-v1.vmdk",
            "VmdkFuzzTestInputs/openAndRead/sparse-v2-zeroed.vmdk",
            "VmdkFuzzTestInputs/openAndRead/sparse-v3-shuffled.vmdk",
            "VmdkFuzzTestInputs/openAndRead/stream-footer.vmdk", "VmdkFuzzTestInputs/openAndRead/stream-shuffled.vmdk",
            "VmdkFuzzTestInputs/openAndRead/stream-no-footer.vmdk",
            "VmdkFuzzTestInputs/openAndRead/descriptor-in-sparse.vmdk", FuzzSeeds.COWD, FuzzSeeds.SESPARSE,
            FuzzSeeds.HOSTED);
    /** The extent type each seed is named as when it goes behind a descriptor. */
    private static final List<String> TYPES = List.of("SPARSE", "SPARSE", "SPARSE", "SPARSE", "SPARSE", "SPARSE",
            "SPARSE", "VMFSSPARSE", "SESPARSE", "SPARSE");
    private static final List<byte[]> SEEDS = load();
    private static final int[] WIDTHS = {1, 2, 4, 8};

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "60s")
    void patchAndRead(FuzzedDataProvider data) throws IOException {
        int seed = data.consumeInt(0, SEEDS.size() - 1);
        byte[] image = SEEDS.get(seed).clone();
        int patches = data.consumeInt(1, 6);
        for (int i = 0; i < patches; i++) {
            int width = WIDTHS[data.consumeInt(0, WIDTHS.length - 1)];
            // half the patches land in the first two sectors (headers), half anywhere
            int limit = data.consumeBoolean() ? Math.min(1024, image.length) : image.length;
            int at = data.consumeInt(0, limit - width);
            long value = data.consumeLong();
            for (int b = 0; b < width; b++) {
                image[at + b] = (byte) (value >>> (8 * b));
            }
        }
        if (data.consumeBoolean()) {
            image = Arrays.copyOf(image, data.consumeInt(0, image.length));
        }
        boolean extentSeed = seed >= SEEDS.size() - 3;
        Path input = dir.resolve("input.vmdk");
        if (extentSeed || data.consumeBoolean()) {
            // behind a descriptor, as a twoGbMaxExtentSparse or ESX delta names its extents
            Files.write(dir.resolve("extent.bin"), image);
            Files.writeString(input, Fixtures.descriptor(1, 0xffffffffL, "vmfsSparse", null,
                    "RW " + data.consumeInt(1, 1 << 20) + " " + TYPES.get(seed) + " \"extent.bin\""));
        } else {
            Files.write(input, image);
        }
        VmdkFuzzTest.exercise(input);
    }

    private static List<byte[]> load() {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : SEED_NAMES) {
            try (InputStream in = VmdkPatchFuzzTest.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("missing seed " + name + ": run FuzzSeeds");
                }
                seeds.add(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return seeds;
    }
}
