package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.convert.ConvertOptions;
import io.qcow4j.convert.ConvertResult;
import io.qcow4j.convert.Converter;
import io.qcow4j.testing.ImageContent;
import io.qcow4j.testing.Qemu;

/** The converter, unchanged, turns every subformat into the raw file qemu-img makes, with several workers. */
class ConvertTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
    }

    @ParameterizedTest
    @ValueSource(strings = {"monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat",
        "streamOptimized"})
    void convertsAsQemuImgDoes(String subformat) throws Exception {
        Path content = ImageContent.writeRaw(dir.resolve("content.raw"), 24 << 20, subformat.hashCode());
        Path image = VmdkTools.convert(content, dir.resolve("disk.vmdk"), "subformat=" + subformat);
        Path theirs = Qemu.toRaw(image, dir.resolve("theirs.raw"));
        Path ours = dir.resolve("ours.raw");
        try (Image opened = Images.open(image)) {
            ConvertResult result = Converter.convert(opened, ours, ConvertOptions.builder().workers(4)
                    .segmentSize(1 << 20).bufferSize(256 << 10).build());
            assertThat(result).isNotNull();
        }
        assertThat(Files.mismatch(ours, theirs)).isEqualTo(-1);
    }
}
