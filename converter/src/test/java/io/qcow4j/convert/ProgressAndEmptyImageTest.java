package io.qcow4j.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.MemoryImage;
import io.qcow4j.testing.Qemu;

class ProgressAndEmptyImageTest {

    @TempDir
    Path dir;

    @Test
    void progressGrowsStrictlyAndEndsAtTheVirtualSize() throws IOException {
        MemoryImage image = MemoryImage.builder((40L << 20) + 4096).data(0, 3 << 20).zero(5 << 20, 1 << 20)
                .data(9L << 20, 20L << 20).data((39L << 20) + 17, 5000).build();
        List<long[]> reports = new ArrayList<>();
        ConvertOptions options = ConvertOptions.builder().workers(4).segmentSize(2 << 20)
                .bufferSize(512 << 10).progress((done, total) -> {
                    // the listener is never called twice at once, so an unsynchronised list must do
                    reports.add(new long[] {done, total});
                }).build();
        Path target = dir.resolve("out.raw");
        ConvertResult result = Converter.convert(image, target, options);

        assertThat(reports).isNotEmpty();
        long previous = 0;
        for (long[] report : reports) {
            assertThat(report[1]).isEqualTo(image.size());
            assertThat(report[0]).isGreaterThan(previous).isLessThanOrEqualTo(image.size());
            previous = report[0];
        }
        assertThat(previous).isEqualTo(image.size());
        assertThat(Files.readAllBytes(target)).isEqualTo(image.contents());
        assertThat(result.bytesRead()).isEqualTo((3L << 20) + (20L << 20) + 5000);
        assertThat(result.bytesZero() + result.bytesWritten()).isEqualTo(image.size());
    }

    @Test
    void emptyImageOf100GiBIsNeverRead() throws IOException {
        long size = 100L << 30;
        MemoryImage image = MemoryImage.builder(size).build();
        Path target = dir.resolve("empty.raw");
        List<Long> reports = new ArrayList<>();
        ConvertResult result = Converter.convert(image, target,
                ConvertOptions.builder().progress((done, total) -> reports.add(done)).build());

        assertThat(image.readCalls()).isZero();
        assertThat(result).isEqualTo(new ConvertResult(size, 0, 0, size));
        assertThat(Files.size(target)).isEqualTo(size);
        assertThat(TestImages.blocks(target)).isZero();
        assertThat(reports).last().isEqualTo(size);
    }

    @Test
    void emptyQcow2ImageOf100GiBIsNeverRead() throws IOException {
        Qemu.require("qemu-img");
        Path qcow2 = Qemu.createQcow2(dir.resolve("empty.qcow2"), "100G");
        Path target = dir.resolve("empty.raw");
        Image opened = Images.open(qcow2);
        // an empty layer over the image: its status and reads pass through, counted
        try (MemoryImage image = MemoryImage.builder(opened.size()).backing(opened).build()) {
            ConvertResult result = Converter.convert(image, target, ConvertOptions.defaults());
            assertThat(image.readCalls()).isZero();
            assertThat(result.bytesRead()).isZero();
        }
        assertThat(Files.size(target)).isEqualTo(100L << 30);
        assertThat(TestImages.blocks(target)).isZero();
    }

    @Test
    void emptyDiskMakesAnEmptyFileWithoutProgress() throws IOException {
        List<Long> reports = new ArrayList<>();
        Path target = dir.resolve("zero-size.raw");
        ConvertResult result = Converter.convert(MemoryImage.builder(0).build(), target,
                ConvertOptions.builder().progress((done, total) -> reports.add(done)).build());
        assertThat(result).isEqualTo(new ConvertResult(0, 0, 0, 0));
        assertThat(target).exists().isEmptyFile();
        assertThat(reports).isEmpty();
    }
}
