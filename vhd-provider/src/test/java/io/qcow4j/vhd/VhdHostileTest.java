package io.qcow4j.vhd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageException;
import io.qcow4j.ImageFormats;
import io.qcow4j.ImageLimitException;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.testing.ImageExerciser;

/** Every field of the footer and the dynamic header out of range, and truncated files: refused by name. */
class VhdHostileTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new VhdFormatProvider());
    private static final int BLOCK = 4096;

    @TempDir
    Path dir;

    /** A dynamic disk of 4 blocks of 4 KiB, two of them allocated; its BAT at 1536, blocks after it. */
    private static byte[] valid() {
        return VhdBuilder.dynamic(4 * BLOCK).blockSize(BLOCK).block(0, VhdFixturesTest.pattern(BLOCK, 1))
                .block(2, VhdFixturesTest.pattern(BLOCK, 2)).build();
    }

    /** {@code edit} applied to the valid image, its checksums made right again so that the edit is what fails. */
    private Path patched(Consumer<ByteBuffer> edit) throws IOException {
        ByteBuffer image = ByteBuffer.wrap(valid());
        edit.accept(image);
        fixChecksums(image);
        return Files.write(dir.resolve("hostile.vhd"), image.array());
    }

    static void fixChecksums(ByteBuffer image) {
        for (int at : new int[] {0, image.capacity() - 512}) {
            ByteBuffer footer = image.duplicate().position(at).limit(at + 512).slice();
            footer.putInt(64, VhdFooter.checksum(footer.duplicate(), 64));
        }
        ByteBuffer header = image.duplicate().position(512).limit(1536).slice();
        header.putInt(36, VhdFooter.checksum(header.duplicate(), 36));
    }

    private void assertRefused(Path file, Class<? extends ImageException> type, String message) {
        assertThatThrownBy(() -> FORMATS.open(file)).isInstanceOf(type).hasMessageContaining(message);
    }

    @Test
    void theValidImageOpens() throws IOException {
        ImageExerciser.exercise(FORMATS, patched(b -> { }), OpenOptions.defaults(), new ImageExerciser.Budget(1 << 20, 100, 0));
    }

    @Test
    void footerChecksum() throws IOException {
        byte[] image = valid();
        image[100] ^= 1;
        assertRefused(Files.write(dir.resolve("sum.vhd"), image), CorruptImageException.class,
                "VHD footer at offset 0: checksum");
    }

    @Test
    void footerDiskType() throws IOException {
        assertRefused(patched(b -> b.putInt(60, 7)), UnsupportedFeatureException.class,
                "disk type 7 is not fixed (2), dynamic (3) or differencing (4)");
    }

    @Test
    void footerDataOffset() throws IOException {
        assertRefused(patched(b -> b.putLong(16, 1L << 40)), CorruptImageException.class,
                "data offset 1099511627776 leaves no room for the 1024-byte dynamic disk header");
        assertRefused(patched(b -> b.putLong(16, -1)), CorruptImageException.class,
                "data offset 18446744073709551615");
    }

    @Test
    void footerSizePastTheVhdMaximum() throws IOException {
        assertRefused(patched(b -> b.putLong(48, 2041L << 30)), ImageLimitException.class,
                "sectors is larger than the VHD maximum of 2040 GiB");
    }

    @Test
    void headerCookieAndChecksum() throws IOException {
        assertRefused(patched(b -> b.put(512, (byte) 'X')), CorruptImageException.class,
                "VHD dynamic disk header at offset 512: no \"cxsparse\" cookie");
        byte[] image = valid();
        image[512 + 100] ^= 1;
        assertRefused(Files.write(dir.resolve("sum.vhd"), image), CorruptImageException.class,
                "VHD dynamic disk header at offset 512: checksum");
    }

    @Test
    void headerBlockSize() throws IOException {
        for (int size : new int[] {0, 256, 3000, -1}) {
            assertRefused(patched(b -> b.putInt(512 + 32, size)), CorruptImageException.class,
                    "block size " + Integer.toUnsignedString(size) + " is not a power of two from 512 to 2 GiB");
        }
    }

    @Test
    void headerTableEntriesAndOffset() throws IOException {
        assertRefused(patched(b -> b.putInt(512 + 28, 3)), CorruptImageException.class,
                "max table entries 3 of 4096-byte blocks cover less than the 16384-byte disk");
        assertRefused(patched(b -> b.putLong(512 + 16, 1L << 50)), CorruptImageException.class,
                "VHD block allocation table at offset 1125899906842624 (16 bytes) passes the end");
    }

    @Test
    void tableEntryPastTheEnd() throws IOException {
        assertRefused(patched(b -> b.putInt(1536 + 8, 0x7fffffff)), CorruptImageException.class,
                "VHD block allocation table entry 2: block at offset 1099511627264");
    }

    @Test
    void tableEntryOnTheMetadata() throws IOException {
        // a block put on the footer copy, the dynamic disk header or the table itself would read them as the disk
        assertRefused(patched(b -> b.putInt(1536, 0)), CorruptImageException.class,
                "VHD block allocation table entry 0: block at offset 0 (4608 bytes with its bitmap) overlaps the "
                        + "footer copy at offset 0");
        assertRefused(patched(b -> b.putInt(1536 + 4, 2)), CorruptImageException.class,
                "VHD block allocation table entry 1: block at offset 1024 (4608 bytes with its bitmap) overlaps the "
                        + "dynamic disk header at offset 512");
        assertRefused(patched(b -> b.putInt(1536 + 12, 3)), CorruptImageException.class,
                "VHD block allocation table entry 3: block at offset 1536 (4608 bytes with its bitmap) overlaps the "
                        + "block allocation table at offset 1536");
    }

    @Test
    void hugeTablesAreChargedToTheChain() throws IOException {
        // 2000 GiB of 512-byte blocks: four billion entries
        assertRefused(patched(b -> {
            b.putLong(48, 2000L << 30);
            b.putInt(512 + 32, 512);
            b.putInt(512 + 28, -1);
        }), ImageLimitException.class, "entries are more than the");
        // 2000 GiB of 1 MiB blocks: 8 MiB of table, past a 1 MiB chain limit
        Path big = dir.resolve("big.vhd");
        ByteBuffer image = ByteBuffer.allocate(1536 + 8 * 1024 * 1024 + 512);
        image.put(valid(), 0, 1536);
        image.putLong(48, 2000L << 30);
        image.putInt(512 + 32, 1 << 20);
        image.putInt(512 + 28, 2000 * 1024);
        for (int i = 1536; i < image.capacity() - 512; i++) {
            image.put(i, (byte) 0xff);
        }
        image.put(image.capacity() - 512, valid(), 0, 512);
        image.putLong(image.capacity() - 512 + 48, 2000L << 30);
        fixChecksums(image);
        Files.write(big, image.array());
        assertThatThrownBy(() -> FORMATS.open(big, OpenOptions.builder().chainMemoryLimit(1 << 20).build()))
                .isInstanceOf(ImageLimitException.class).hasMessageContaining("VHD block allocation table");
        ImageExerciser.exercise(FORMATS, big, OpenOptions.defaults(), new ImageExerciser.Budget(1 << 20, 100, 0));
    }

    @Test
    void locatorLength() throws IOException {
        byte[] child = VhdBuilder.differencing(4 * BLOCK).blockSize(BLOCK)
                .windowsLocator(ParentLocator.W2RU, ".\\parent.vhd").build();
        ByteBuffer image = ByteBuffer.wrap(child);
        image.putInt(512 + 576 + 8, 1 << 30);
        fixChecksums(image);
        assertRefused(Files.write(dir.resolve("locator.vhd"), child), CorruptImageException.class,
                "VHD parent locator W2ru: length 1073741824 is not within 0..65536");
        image.putInt(512 + 576 + 8, 24);
        image.putLong(512 + 576 + 16, 1L << 40);
        fixChecksums(image);
        assertRefused(Files.write(dir.resolve("locator.vhd"), child), CorruptImageException.class,
                "VHD parent locator W2ru at offset 1099511627776 (24 bytes) passes the end");
    }

    @Test
    void fixedDiskLargerThanItsFile() throws IOException {
        byte[] fixed = VhdBuilder.fixed(new byte[8192]).build();
        ByteBuffer footer = ByteBuffer.wrap(fixed, 8192, 512).slice();
        footer.putLong(48, 1L << 30);
        footer.putInt(64, VhdFooter.checksum(footer.duplicate().clear(), 64));
        assertThatThrownBy(() -> FORMATS.open(Files.write(dir.resolve("fixed.vhd"), fixed),
                OpenOptions.builder().format("vpc").build())).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("the fixed disk of 1073741824 bytes needs more than the 8192 bytes");
    }

    @Test
    void everyTruncationIsRefusedOrReadsWithinTheFile() throws IOException {
        byte[] image = valid();
        for (int length = 0; length < image.length; length += 97) {
            Path cut = Files.write(dir.resolve("cut.vhd"), java.util.Arrays.copyOf(image, length));
            try {
                ImageExerciser.exercise(FORMATS, cut, OpenOptions.builder().format("vpc").build(), new ImageExerciser.Budget(1 << 20, 100, 0));
            } catch (ImageException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }
}
