package io.qcow4j.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.MemoryImage;
import io.qcow4j.testing.Qemu;

/** {@code -n}: writing into an existing target, which must end up holding exactly the source, with holes punched. */
class ExistingTargetTest {

    private static final long EXTRA = 1 << 20;

    @TempDir
    Path dir;

    /** A fully allocated file of 0xff bytes, larger than the source. */
    private Path garbage(String name) throws IOException {
        Path file = dir.resolve(name);
        byte[] chunk = new byte[1 << 20];
        Arrays.fill(chunk, (byte) 0xff);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = TestImages.SIZE + EXTRA;
            for (long at = 0; at < size; at += chunk.length) {
                ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, size - at));
                while (buffer.hasRemaining()) {
                    channel.write(buffer, at + buffer.position());
                }
            }
        }
        return file;
    }

    @Test
    void overwritesInPlaceLikeQemuImgDashN() throws IOException {
        Qemu.require("qemu-img");
        Path image = TestImages.build(TestImages.Kind.BACKING, dir);
        Path ours = garbage("ours.raw");
        Path theirs = garbage("theirs.raw");
        long garbageBlocks = TestImages.blocks(ours);

        ConvertResult result;
        try (Image source = Images.open(image)) {
            result = Converter.convert(source, ours, ConvertOptions.builder().overwriteExisting(true)
                    .segmentSize(1 << 20).bufferSize(256 << 10).workers(3).build());
        }
        Qemu.run("qemu-img", "convert", "-n", "-O", "raw", image.toString(), theirs.toString());

        assertThat(Files.size(ours)).isEqualTo(TestImages.SIZE + EXTRA);
        assertThat(Files.mismatch(ours, theirs)).as("first differing byte").isEqualTo(-1L);
        assertThat(TestImages.blocks(ours)).as("holes punched").isLessThanOrEqualTo(TestImages.blocks(theirs))
                .isLessThan(garbageBlocks / 2);
        assertThat(result.bytesZero()).isPositive();
    }

    @Test
    void zeroDetectionOffWritesZerosInPlace() throws IOException {
        MemoryImage image = MemoryImage.builder(TestImages.SIZE).data(4096, 100_000).zero(2L << 20, 1 << 20)
                .build();
        Path target = garbage("target.raw");
        ConvertResult result = Converter.convert(image, target, ConvertOptions.builder()
                .overwriteExisting(true).sparseSize(0).build());
        byte[] bytes = Files.readAllBytes(target);
        assertThat(Arrays.copyOf(bytes, (int) TestImages.SIZE)).isEqualTo(image.contents());
        assertThat(bytes[(int) TestImages.SIZE]).isEqualTo((byte) 0xff);
        assertThat(result.bytesWritten()).isEqualTo(TestImages.SIZE);
        assertThat(TestImages.blocks(target)).isEqualTo(TestImages.blocks(dir.resolve("target.raw")))
                .isGreaterThanOrEqualTo((TestImages.SIZE + EXTRA) / 512);
    }

    @Test
    void replacingAnExistingFileWithoutDashNStartsFromHoles() throws IOException {
        MemoryImage image = MemoryImage.builder(TestImages.SIZE).data(4096, 100_000).build();
        Path target = garbage("target.raw");
        Converter.convert(image, target, ConvertOptions.defaults());
        assertThat(Files.readAllBytes(target)).isEqualTo(image.contents());
        assertThat(TestImages.blocks(target)).isLessThanOrEqualTo(2 * (100_000 + 8192) / 512);
    }
}
