package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.Bytes;
import io.qcow4j.testing.ImageMatrix;
import io.qcow4j.testing.Qemu;
import io.qcow4j.testing.QemuMap;
import io.qcow4j.testing.QemuReference;

/** Every point of the feature matrix, read whole, at random from several threads, and mapped, against qemu-img. */
class Qcow2MatrixTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
    }

    static Stream<ImageMatrix.Case> cases() {
        return ImageMatrix.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readsLikeQemu(ImageMatrix.Case c) throws Exception {
        Path top = ImageMatrix.build(c, dir, c.name().hashCode());
        byte[] expected = Files.readAllBytes(Qemu.toRaw(top, dir.resolve("reference.raw")));
        try (Image image = Images.open(top)) {
            assertThat(image.format()).isEqualTo("qcow2");
            assertThat(image.size()).isEqualTo(expected.length);
            Bytes.assertReadsAs(image, expected);
            QemuReference.assertRandomReads(image, expected, 150, Math.min(3 * c.clusterSize(), 300_000));
            assertMapMatchesQemu(image, top, expected);
        }
    }

    /** Runs that say zero must read as zeros, and the runs must agree with qemu-img map. */
    private static void assertMapMatchesQemu(Image image, Path top, byte[] expected) throws IOException {
        List<BlockStatus> ours = image.map(0, image.size());
        for (BlockStatus run : ours) {
            if (run.readsAsZero()) {
                for (long i = run.offset(); i < run.end(); i++) {
                    if (expected[(int) i] != 0) {
                        throw new AssertionError("run " + run + " reads as zero but byte " + i + " is "
                                + expected[(int) i]);
                    }
                }
            }
        }
        assertThat(QemuMap.of(image)).as("map of %s", top)
                .containsExactlyElementsOf(QemuMap.merged(QemuMap.of(top)));
    }
}
