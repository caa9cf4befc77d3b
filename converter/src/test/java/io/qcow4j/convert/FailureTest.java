package io.qcow4j.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.MemoryImage;
import io.qcow4j.testing.Qemu;

class FailureTest {

    @TempDir
    Path dir;

    @Test
    void sourceErrorIsNamedAndTheNewTargetDeleted() {
        MemoryImage image = MemoryImage.builder(8L << 20).file(Path.of("fake-image")).data(0, 8L << 20)
                .failReads(5L << 20, 3L << 20, "bad sector").build();
        Path target = dir.resolve("out.raw");
        assertThatThrownBy(() -> Converter.convert(image, target,
                ConvertOptions.builder().segmentSize(1 << 20).bufferSize(1 << 20).build()))
                .isExactlyInstanceOf(ConversionException.class)
                .hasMessageStartingWith("cannot read source fake-image at offset ")
                .hasMessageEndingWith(": bad sector")
                .hasRootCauseMessage("bad sector");
        assertThat(target).doesNotExist();
    }

    @Test
    void sourceErrorWithAnExistingTargetSaysItIsIncomplete() throws IOException {
        MemoryImage image = MemoryImage.builder(1 << 20).file(Path.of("fake-image")).data(0, 1 << 20)
                .failReads(0, 1 << 20, "bad sector").build();
        Path target = dir.resolve("existing.raw");
        Files.write(target, new byte[1 << 20]);
        assertThatThrownBy(() -> Converter.convert(image, target, ConvertOptions.builder()
                .overwriteExisting(true).build()))
                .isExactlyInstanceOf(TargetIncompleteException.class)
                .hasMessage(target + " is incomplete: cannot read source fake-image at offset 0: bad sector");
        assertThat(target).exists();
    }

    @Test
    void truncatedQcow2SourceIsNamedAndTheNewTargetDeleted() throws IOException {
        Qemu.require("qemu-img");
        Path qcow2 = Qemu.createQcow2(dir.resolve("truncated.qcow2"), "8M");
        Qemu.io(qcow2, "qcow2", "write -P 0x61 0 8M");
        long length = Files.size(qcow2);
        try (FileChannel channel = FileChannel.open(qcow2, StandardOpenOption.WRITE)) {
            // the metadata at the start stays; the data clusters near the end are cut off
            channel.truncate(length - (3L << 20));
        }
        Path target = dir.resolve("out.raw");
        try (Image image = Images.open(qcow2)) {
            assertThatThrownBy(() -> Converter.convert(image, target, ConvertOptions.defaults()))
                    .isInstanceOf(ConversionException.class)
                    .hasMessageStartingWith("cannot read source " + qcow2 + " at offset ")
                    // the reader's error starts with the image too: said once
                    .satisfies(e -> assertThat(e.getMessage().split(Pattern.quote(qcow2.toString()),
                            -1)).hasSize(2));
        }
        assertThat(target).doesNotExist();
    }

    @Test
    void fullFileSystemSaysSoAndLeavesNoTarget() throws IOException {
        boolean root = "0".equals(Qemu.run("id", "-u").trim());
        if (Qemu.inCi()) {
            assertThat(root).as("CI runs as root, which this test needs to mount a tmpfs").isTrue();
        }
        assumeTrue(root, "mounting a small tmpfs needs root; skipping");
        Path mount = Files.createDirectory(dir.resolve("small-fs"));
        try {
            Qemu.run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString());
        } catch (IllegalStateException e) {
            // root without the right to mount (a container): only CI must be able to
            if (Qemu.inCi()) {
                throw e;
            }
            assumeTrue(false, "cannot mount a tmpfs here: " + e.getMessage());
        }
        try {
            Path target = mount.resolve("out.raw");
            MemoryImage image = MemoryImage.builder(8L << 20).data(0, 8L << 20).build();
            assertThatThrownBy(() -> Converter.convert(image, target, ConvertOptions.defaults()))
                    .isExactlyInstanceOf(ConversionException.class)
                    .hasMessageStartingWith("cannot write target " + target)
                    .hasMessageEndingWith(": no space left on device");
            assertThat(target).doesNotExist();
            try (var files = Files.list(mount)) {
                assertThat(files).isEmpty();
            }
        } finally {
            Qemu.run("umount", mount.toString());
        }
    }

    @Test
    void existingTargetSmallerThanTheSourceIsRefusedUntouched() throws IOException {
        Path target = dir.resolve("small.raw");
        byte[] old = new byte[4096];
        old[0] = 9;
        Files.write(target, old);
        MemoryImage image = MemoryImage.builder(8192).data(0, 8192).build();
        assertThatThrownBy(() -> Converter.convert(image, target, ConvertOptions.builder()
                .overwriteExisting(true).build()))
                .isExactlyInstanceOf(ConversionException.class)
                .hasMessage("the target " + target + " is smaller than the source: 4096 < 8192 bytes; an existing"
                        + " target (-n) must be at least as large");
        assertThat(Files.readAllBytes(target)).isEqualTo(old);
    }

    @Test
    void missingExistingTargetIsRefused() {
        Path target = dir.resolve("missing.raw");
        assertThatThrownBy(() -> Converter.convert(MemoryImage.builder(512).build(), target, ConvertOptions.builder()
                .overwriteExisting(true).build()))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("missing.raw").hasMessageContaining("needs the target to exist");
        assertThat(target).doesNotExist();
    }

    @Test
    void targetThatIsTheSourceIsRefused() throws IOException {
        Path raw = dir.resolve("disk.raw");
        Files.write(raw, new byte[] {1, 2, 3, 4});
        try (Image image = Images.open(raw)) {
            assertThatThrownBy(() -> Converter.convert(image, raw, ConvertOptions.defaults()))
                    .isInstanceOf(FileSystemException.class)
                    .hasMessageContaining("the target is the source image");
        }
        assertThat(Files.readAllBytes(raw)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void directoryTargetIsRefused() {
        assertThatThrownBy(() -> Converter.convert(MemoryImage.builder(512).build(), dir, ConvertOptions.defaults()))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("the target is a directory");
        assertThat(dir).isDirectory();
    }

    @Test
    void invalidOptionsCannotBeMade() {
        // the builder refuses them: no conversion can start with them, nor create a target
        assertThatThrownBy(() -> ConvertOptions.builder().workers(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("workers");
        assertThat(List.of(dir.toFile().list())).isEmpty();
    }
}
