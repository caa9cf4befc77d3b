package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.Image;
import io.qcow4j.Images;

/** The fuzzers' seeds are valid images, so that the fuzzers start from files every parser reads to the end. */
class FuzzSeedsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"VmdkFuzzTestInputs/openAndRead/sparse-v1.vmdk",
        "VmdkFuzzTestInputs/openAndRead/sparse-v2-zeroed.vmdk", "VmdkFuzzTestInputs/openAndRead/sparse-v3-shuffled.vmdk",
        "VmdkFuzzTestInputs/openAndRead/stream-footer.vmdk", "VmdkFuzzTestInputs/openAndRead/stream-shuffled.vmdk",
        "VmdkFuzzTestInputs/openAndRead/stream-no-footer.vmdk",
        "VmdkFuzzTestInputs/openAndRead/descriptor-in-sparse.vmdk", "VmdkFuzzTestInputs/openAndRead/descriptor.vmdk",
        "SPARSE " + FuzzSeeds.HOSTED, "VMFSSPARSE " + FuzzSeeds.COWD, "SESPARSE " + FuzzSeeds.SESPARSE})
    void readsWhole(String seed) throws Exception {
        String[] words = seed.split(" ");
        Path input = dir.resolve("input.vmdk");
        if (words.length == 2) {
            Files.write(dir.resolve("extent.bin"), resource(words[1]));
            Files.writeString(input, Fixtures.descriptor(1, 0xffffffffL, "vmfsSparse", null,
                    "RW 16 " + words[0] + " \"extent.bin\""));
        } else {
            Files.write(input, resource(seed));
        }
        try (Image image = Images.open(input, VmdkFuzzTest.BESIDE)) {
            assertThat(image.size()).isPositive();
            ByteBuffer all = ByteBuffer.allocate((int) image.size());
            image.readFully(all, 0);
            boolean anyData = false;
            for (byte b : all.array()) {
                anyData |= b != 0;
            }
            assertThat(anyData).as("the seed holds data").isTrue();
        }
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = FuzzSeedsTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
