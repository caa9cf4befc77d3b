package io.qcow4j.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.Qemu;

/** Our raw output against {@code qemu-img convert -O raw}: the same bytes, and no more allocated blocks. */
class CompareWithQemuImgTest {

    @TempDir
    static Path dir;

    private static final Map<TestImages.Kind, Path> IMAGES = new EnumMap<>(TestImages.Kind.class);
    private static final Map<TestImages.Kind, Path> REFERENCES = new EnumMap<>(TestImages.Kind.class);
    private static final Map<TestImages.Kind, Long> REFERENCE_BLOCKS = new EnumMap<>(TestImages.Kind.class);

    @BeforeAll
    static void buildImages() throws IOException {
        Qemu.require("qemu-img");
        for (TestImages.Kind kind : TestImages.Kind.values()) {
            Path image = TestImages.build(kind, dir);
            IMAGES.put(kind, image);
            Path reference = Qemu.toRaw(image, dir.resolve(kind + "-qemu.raw"));
            REFERENCES.put(kind, reference);
            REFERENCE_BLOCKS.put(kind, TestImages.blocks(reference));
        }
    }

    static Stream<Arguments> cases() {
        Map<String, ConvertOptions> options = Map.of(
                "defaults", ConvertOptions.defaults(),
                "1 worker", ConvertOptions.builder().workers(1).build(),
                "2 workers, 3 MiB segments, 1 MiB buffers", ConvertOptions.builder().workers(2)
                        .segmentSize(3 << 20).bufferSize(1 << 20).build(),
                "8 workers, 192 KiB segments, 64 KiB buffers", ConvertOptions.builder().workers(8)
                        .segmentSize(192 << 10).bufferSize(64 << 10).build(),
                "3 workers, 1536-byte buffers, 512-byte zero detection", ConvertOptions.builder().workers(3)
                        .segmentSize(1536 * 700).bufferSize(1536).sparseSize(512).build());
        return Stream.of(TestImages.Kind.values())
                .flatMap(kind -> options.entrySet().stream().map(o -> Arguments.of(kind, o.getKey(), o.getValue())));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void sameBytesAndNoMoreBlocksThanQemuImg(TestImages.Kind kind, String description, ConvertOptions options)
            throws IOException {
        Path ours = dir.resolve(kind + "-" + description.replaceAll("\\W+", "_") + ".raw");
        ConvertResult result;
        try (Image image = Images.open(IMAGES.get(kind))) {
            result = Converter.convert(image, ours, options);
        }
        Path reference = REFERENCES.get(kind);
        assertThat(Files.size(ours)).isEqualTo(Files.size(reference)).isEqualTo(TestImages.SIZE);
        assertThat(Files.mismatch(ours, reference)).as("first differing byte").isEqualTo(-1L);
        assertThat(TestImages.blocks(ours)).as("st_blocks of ours vs qemu-img's")
                .isLessThanOrEqualTo(REFERENCE_BLOCKS.get(kind));
        assertThat(result.virtualSize()).isEqualTo(TestImages.SIZE);
        assertThat(result.bytesRead()).isLessThanOrEqualTo(TestImages.SIZE);
        assertThat(result.bytesZero()).isPositive();
        Files.delete(ours);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void zeroDetectionOffAllocatesEverythingAsQemuImgDashS0(TestImages.Kind kind) throws IOException {
        Path ours = dir.resolve(kind + "-S0.raw");
        try (Image image = Images.open(IMAGES.get(kind))) {
            Converter.convert(image, ours, ConvertOptions.builder().sparseSize(0).build());
        }
        Path reference = Qemu.toRaw(IMAGES.get(kind), dir.resolve(kind + "-qemu-S0.raw"), "-S", "0");
        assertThat(Files.mismatch(ours, reference)).isEqualTo(-1L);
        assertThat(TestImages.blocks(ours)).isEqualTo(TestImages.blocks(reference))
                .isGreaterThanOrEqualTo(TestImages.SIZE / 512);
        Files.delete(ours);
        Files.delete(reference);
    }

    static Stream<TestImages.Kind> kinds() {
        return Stream.of(TestImages.Kind.CLUSTER_64K, TestImages.Kind.BACKING, TestImages.Kind.RAW);
    }
}
