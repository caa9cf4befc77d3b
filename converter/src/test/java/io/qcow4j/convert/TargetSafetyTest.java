package io.qcow4j.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.MemoryImage;
import io.qcow4j.testing.Qemu;

/** Nothing the user had is lost: the files a conversion must not write, and what a failed one leaves. */
class TargetSafetyTest {

    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    private static MemoryImage failingHalfWay() {
        return MemoryImage.builder(SIZE).data(0, SIZE).failReads(SIZE / 2, SIZE / 2, "the disk went away").build();
    }

    private static ConvertOptions small() {
        return ConvertOptions.builder().workers(2).segmentSize(64 << 10).bufferSize(64 << 10).build();
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedConversionLeavesAFileItWouldHaveReplacedAsItWas() throws Exception {
        Path target = Files.writeString(dir.resolve("disk.raw"), "precious");
        assertThatThrownBy(() -> Converter.convert(failingHalfWay(), target, small()))
                .isInstanceOf(ConversionException.class).hasMessageContaining("the disk went away");
        assertThat(Files.readString(target)).isEqualTo("precious");
        assertThat(names()).containsExactly("disk.raw");

        MemoryImage image = MemoryImage.builder(SIZE).data(0, SIZE).build();
        Converter.convert(image, target, small());
        assertThat(Files.readAllBytes(target)).isEqualTo(image.contents());
        assertThat(names()).containsExactly("disk.raw");
    }

    @Test
    void aSymbolicLinkTargetIsFollowedAndKept() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real")).resolve("disk.raw");
        Path link = Files.createSymbolicLink(dir.resolve("link.raw"), Path.of("real/disk.raw"));

        assertThatThrownBy(() -> Converter.convert(failingHalfWay(), link, small()))
                .isInstanceOf(ConversionException.class);
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(real).doesNotExist();
        assertThat(names()).containsExactly("link.raw", "real");

        MemoryImage image = MemoryImage.builder(SIZE).data(0, SIZE).build();
        Converter.convert(image, link, small());
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readAllBytes(real)).isEqualTo(image.contents());
        try (Stream<Path> files = Files.list(real.getParent())) {
            assertThat(files).containsExactly(real);
        }
    }

    @Test
    void aFifoOrACharacterDeviceIsRefusedWithoutWaiting() throws Exception {
        Path fifo = dir.resolve("fifo");
        Qemu.run("mkfifo", fifo.toString());
        for (Path target : List.of(fifo, Path.of("/dev/null"))) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                    assertThatThrownBy(() -> Converter.convert(MemoryImage.builder(SIZE).data(0, SIZE).build(), target,
                            small()))
                            .isInstanceOf(FileSystemException.class)
                            .hasMessage(target + ": the target is neither a regular file nor a block device"));
        }
        assertThat(names()).containsExactly("fifo");
    }

    /** QEMU's write lock refuses these; a converter that emptied the data file would read back zeros and succeed. */
    @Test
    void theSourcesExternalDataFileOrABackingImagesIsRefusedAndLeftAsItWas() throws Exception {
        Qemu.require("qemu-img");
        Path base = dir.resolve("base.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("base.data"),
                base.toString(), "1M");
        Qemu.io(base, "qcow2", "write -P 0x55 0 64k");
        Path top = dir.resolve("top.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("top.data"), "-b",
                base.toString(), "-F", "qcow2", top.toString(), "1M");
        Qemu.io(top, "qcow2", "write -P 0x66 512k 64k");
        byte[] topData = Files.readAllBytes(dir.resolve("top.data"));
        byte[] baseData = Files.readAllBytes(dir.resolve("base.data"));
        try (Image image = Images.open(top)) {
            assertThat(image.files()).containsExactly(top, dir.resolve("top.data"));
            assertThatThrownBy(() -> Converter.convert(image, dir.resolve("top.data"), small()))
                    .isInstanceOf(FileSystemException.class)
                    .hasMessage(dir.resolve("top.data") + ": the target is the source image's external data file "
                            + dir.resolve("top.data"));
            assertThatThrownBy(() -> Converter.convert(image, dir.resolve("base.data"), small()))
                    .isInstanceOf(FileSystemException.class)
                    .hasMessage(dir.resolve("base.data") + ": the target is a backing image's external data file "
                            + dir.resolve("base.data"));
        }
        assertThat(Files.readAllBytes(dir.resolve("top.data"))).isEqualTo(topData);
        assertThat(Files.readAllBytes(dir.resolve("base.data"))).isEqualTo(baseData);
    }

    /** A file its owner made read-only is replaced only where writing it in place would be allowed (root). */
    @Test
    void aReadOnlyFileIsReplacedOnlyWhereItCouldBeWritten() throws Exception {
        Path target = Files.writeString(dir.resolve("disk.raw"), "read-only");
        assertThat(target.toFile().setWritable(false, false)).isTrue();
        MemoryImage image = MemoryImage.builder(SIZE).data(0, SIZE).build();
        if (Files.isWritable(target)) {
            // root: open(2) would write it, and so may we
            Converter.convert(image, target, small());
            assertThat(Files.readAllBytes(target)).isEqualTo(image.contents());
        } else {
            assertThatThrownBy(() -> Converter.convert(image, target, small()))
                    .isInstanceOf(AccessDeniedException.class).hasMessageContaining("Permission denied");
            assertThat(Files.readString(target)).isEqualTo("read-only");
        }
        assertThat(names()).containsExactly("disk.raw");
    }
}
