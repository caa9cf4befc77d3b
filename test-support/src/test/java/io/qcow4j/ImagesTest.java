package io.qcow4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.testing.MemoryImage;

class ImagesTest {

    @TempDir
    Path dir;

    @Test
    void findsAProviderRegisteredOnlyOnTheTestClassPath() throws Exception {
        assertThat(ImageFormats.defaults().providers()).extracting(ImageFormatProvider::name).contains("pattern");
        Path file = Files.writeString(dir.resolve("disk.pattern"), "PATTERN:1000");
        try (Image image = Images.open(file)) {
            assertThat(image.format()).isEqualTo("pattern");
            assertThat(image.size()).isEqualTo(1000);
            ByteBuffer dst = ByteBuffer.allocate(10);
            image.readFully(dst, 500);
            assertThat(dst.array()).containsExactly(249, 250, 0, 1, 2, 3, 4, 5, 6, 7);
        }
    }

    @Test
    void anExplicitFormatSkipsProbing() throws Exception {
        Path file = Files.writeString(dir.resolve("disk"), "PATTERN:10");
        try (Image image = Images.open(file, OpenOptions.builder().format("pattern").build())) {
            assertThat(image.size()).isEqualTo(10);
        }
    }

    @Test
    void anUnknownFormatNamesTheProvidersThereAre() throws Exception {
        Path file = Files.writeString(dir.resolve("disk"), "PATTERN:10");
        assertThatThrownBy(() -> Images.open(file, OpenOptions.builder().format("vmdk").build()))
                .isInstanceOf(UnknownFormatException.class)
                .hasMessageContaining("unknown image format 'vmdk'")
                .hasMessageContaining("pattern");
    }

    @Test
    void aFileNoProviderClaimsIsRefused() throws Exception {
        // only the pattern provider is on this module's class path: there is no raw fallback here
        Path file = Files.writeString(dir.resolve("notes.txt"), "hello");
        assertRefusedAsUnknown(file, "no image format provider recognises the file");
    }

    @Test
    void missingFilesAndDirectoriesAreFileSystemErrors() {
        assertThatThrownBy(() -> Images.open(dir.resolve("absent.qcow2"))).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> Images.open(dir))
                .isInstanceOf(FileSystemException.class)
                .hasMessageContaining("Is a directory");
    }

    @Test
    void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        Path fifo = dir.resolve("disk.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        for (OpenOptions options : List.of(OpenOptions.defaults(), OpenOptions.builder().format("pattern").build())) {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() -> Images.open(fifo, options))
                    .isInstanceOf(FileSystemException.class)
                    .hasMessageContaining("not a regular file or block device"));
        }
    }

    /** The first bytes of each format QEMU probes for, at the offset its probe reads them. */
    static Stream<Arguments> foreignSignatures() {
        byte[] vdi = new byte[68];
        ByteBuffer.wrap(vdi).order(ByteOrder.LITTLE_ENDIAN).putInt(64, 0xbeda107f);
        return Stream.of(
                Arguments.of("vmdk", ascii("KDMV\1\0\0\0")),
                Arguments.of("vmdk", ascii("COWD")),
                Arguments.of("vmdk", ascii("# Disk DescriptorFile\nversion=1\n")),
                Arguments.of("vpc", ascii("conectix\0\0\0\2")),
                Arguments.of("vhdx", ascii("vhdxfile")),
                Arguments.of("qed", ascii("QED\0")),
                Arguments.of("parallels", ascii("WithoutFreeSpace")),
                Arguments.of("parallels", ascii("WithouFreSpacExt")),
                Arguments.of("bochs", ascii("Bochs Virtual HD Image\0")),
                Arguments.of("cloop", ascii("#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0\n")),
                Arguments.of("luks", new byte[] {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe, 0, 1}),
                Arguments.of("vdi", vdi));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("foreignSignatures")
    void aFileInAFormatNoProviderReadsIsRefusedByName(String format, byte[] start) throws Exception {
        Path file = Files.write(dir.resolve("disk.img"), start);
        assertRefusedAsUnknown(file, "disk.img: a " + format + " image")
                .hasMessageContaining("pattern");
        // one byte off, the signature is no longer there
        byte[] damaged = start.clone();
        damaged[format.equals("vdi") ? 64 : 0] ^= 1;
        Path other = Files.write(dir.resolve("other.img"), damaged);
        assertRefusedAsUnknown(other, "no image format provider recognises the file");
    }

    @Test
    void aDmgIsKnownByItsNameAsInQemu() throws Exception {
        Path file = Files.writeString(dir.resolve("installer.dmg"), "anything");
        assertRefusedAsUnknown(file, "a dmg image");
    }

    @Test
    void aProviderThatRecognisesTheFileWinsOverTheSignatureCheck() throws Exception {
        // the pattern provider claims its own files, whatever else the bytes might resemble
        Path file = Files.writeString(dir.resolve("disk.dmg"), "PATTERN:10");
        try (Image image = Images.open(file)) {
            assertThat(image.format()).isEqualTo("pattern");
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefusedAsUnknown(Path file, String message) {
        return assertThatThrownBy(() -> Images.open(file)).isInstanceOf(UnknownFormatException.class)
                .hasMessageContaining(message);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void readFullyFailsAtTheEndOfTheDisk() throws Exception {
        Path file = Files.writeString(dir.resolve("disk"), "PATTERN:100");
        try (Image image = Images.open(file)) {
            ByteBuffer dst = ByteBuffer.allocate(20);
            assertThatThrownBy(() -> image.readFully(dst, 90))
                    .isInstanceOf(EOFException.class)
                    .hasMessageContaining("passes the end of the 100-byte disk");
            assertThat(image.read(ByteBuffer.allocate(1), 100)).isEqualTo(-1);
        }
    }

    @Test
    void mapMergesAdjacentRunsOfEqualStatus() throws Exception {
        Path file = Files.writeString(dir.resolve("disk"), "PATTERN:10000");
        try (Image image = Images.open(file)) {
            List<BlockStatus> runs = image.map(0, image.size());
            assertThat(runs).containsExactly(new BlockStatus(0, 10000, Allocation.DATA, false, 0, -1));
            assertThat(image.map(100, 50)).containsExactly(new BlockStatus(100, 50, Allocation.DATA, false, 0, -1));
        }
    }

    @Test
    void forEachRunHandsOverTheMapsRunsOneAtATimeInOrder() throws Exception {
        // 10-byte runs, each answered on its own, over an empty backing image
        MemoryImage image = MemoryImage.builder(70)
                .data(0, 10).storedAt(1000)
                .data(10, 10).storedAt(1010)     // continues the file: merged
                .data(20, 10).storedAt(1010)     // the same cluster again: a new run
                .zero(30, 10)
                .zero(40, 10)
                .unallocated(50, 10)
                .data(60, 10).compressed()
                .backing(MemoryImage.builder(70).build())
                .build();
        List<BlockStatus> handed = new ArrayList<>();
        image.forEachRun(5, 60, handed::add);
        assertThat(handed).containsExactly(
                new BlockStatus(5, 15, Allocation.DATA, false, 0, 1005),
                new BlockStatus(20, 10, Allocation.DATA, false, 0, 1010),
                new BlockStatus(30, 20, Allocation.ZERO, false, 0, -1),
                new BlockStatus(50, 10, Allocation.UNALLOCATED, false, 1, -1),
                new BlockStatus(60, 5, Allocation.DATA, true, 0, -1));
        assertThat(image.map(5, 60)).isEqualTo(handed);

        // an action that fails stops the walk, and its exception is the caller's
        List<BlockStatus> beforeFailure = new ArrayList<>();
        assertThatThrownBy(() -> image.forEachRun(0, 70, run -> {
            if (beforeFailure.size() == 2) {
                throw new IOException("Broken pipe");
            }
            beforeFailure.add(run);
        })).isInstanceOf(IOException.class).hasMessage("Broken pipe");
        assertThat(beforeFailure).hasSize(2);
    }
}
