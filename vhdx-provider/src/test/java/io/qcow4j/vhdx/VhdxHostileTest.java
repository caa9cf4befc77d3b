package io.qcow4j.vhdx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.ImageException;
import io.qcow4j.ImageFormats;
import io.qcow4j.ImageLimitException;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.testing.ImageExerciser;

/**
 * Every structure of a VHDX out of range (headers, region tables, metadata items, the BAT, the log, the parent
 * locator), checksums made right again so that the field is what fails, and truncated files: refused by name.
 */
class VhdxHostileTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new VhdxFormatProvider());
    private static final OpenOptions AS_VHDX = OpenOptions.builder().format("vhdx").build();
    private static final int MB = VhdxBuilder.MB;
    /** The builder's layout: log at 1 MiB, metadata at 2 MiB (items from 64 KiB in), BAT at 3 MiB. */
    private static final int METADATA = 2 * MB;
    private static final int BAT = 3 * MB;

    @TempDir
    Path dir;

    private static byte[] valid() {
        return new VhdxBuilder(3L * MB).block(0, PayloadMap.FULLY_PRESENT, VhdxFixturesTest.pattern(MB, 1))
                .block(2, PayloadMap.FULLY_PRESENT, VhdxFixturesTest.pattern(MB, 2)).build();
    }

    /** {@code edit} applied to {@code image}, then header and region table checksums recomputed. */
    private Path patched(byte[] image, Consumer<ByteBuffer> edit) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(image.clone()).order(ByteOrder.LITTLE_ENDIAN);
        edit.accept(b);
        fixChecksums(b);
        return Files.write(dir.resolve("hostile.vhdx"), b.array());
    }

    private Path patched(Consumer<ByteBuffer> edit) throws IOException {
        return patched(valid(), edit);
    }

    static void fixChecksums(ByteBuffer image) {
        for (int at : new int[] {64 * 1024, 128 * 1024}) {
            ByteBuffer h = image.slice(at, 4096).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(4, Checksums.compute(h, 4));
        }
        for (int at : new int[] {192 * 1024, 256 * 1024}) {
            ByteBuffer r = image.slice(at, 64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(4, Checksums.compute(r, 4));
        }
    }

    private static void assertRefused(Path file, Class<? extends ImageException> type, String message) {
        assertThatThrownBy(() -> ImageExerciser.exercise(FORMATS, file, AS_VHDX, new ImageExerciser.Budget(8 * MB, 100, 0))).isInstanceOf(type)
                .hasMessageContaining(message);
    }

    @Test
    void theValidImageOpens() throws IOException {
        ImageExerciser.exercise(FORMATS, patched(b -> { }), OpenOptions.defaults(), new ImageExerciser.Budget(8 * MB, 100, 0));
    }

    @Test
    void signatureAndHeaders() throws IOException {
        assertRefused(patched(b -> b.put(0, (byte) 'X')), CorruptImageException.class,
                "no \"vhdxfile\" signature at offset 0");
        byte[] image = valid();
        image[64 * 1024 + 100] ^= 1;
        image[128 * 1024 + 100] ^= 1;
        assertRefused(Files.write(dir.resolve("sum.vhdx"), image), CorruptImageException.class,
                "VHDX headers: neither is valid (header 1: checksum mismatch; header 2: checksum mismatch)");
        assertRefused(patched(b -> b.putShort(128 * 1024 + 66, (short) 2)), UnsupportedFeatureException.class,
                "VHDX header: version 2 is not 1");
        // two valid headers of one sequence number: the same (as Disk2VHD writes them) are one header, else neither
        // is current
        byte[] twins = valid();
        System.arraycopy(twins, 64 * 1024, twins, 128 * 1024, 4096);
        ImageExerciser.exercise(FORMATS, Files.write(dir.resolve("twins.vhdx"), twins), AS_VHDX,
                new ImageExerciser.Budget(8 * MB, 100, 0));
        assertRefused(patched(b -> b.putLong(128 * 1024 + 8, 1)), CorruptImageException.class,
                "VHDX headers: both valid, of the same sequence number 1, but different: neither is current");
        // the valid header of the lower sequence number is used when the other is damaged
        byte[] one = valid();
        one[128 * 1024] = 0;
        ImageExerciser.exercise(FORMATS, Files.write(dir.resolve("one.vhdx"), one), AS_VHDX, new ImageExerciser.Budget(8 * MB, 100, 0));
    }

    @Test
    void regionTables() throws IOException {
        int r = 192 * 1024;
        assertRefused(patched(b -> {
            b.putInt(r + 8, 3000);
            b.putInt(r + 64 * 1024, 0);
        }), CorruptImageException.class, "VHDX region table 1: 3000 entries are more than 2047");
        assertRefused(patched(b -> {
            b.put(r + 16, (byte) 0x55);
            b.putInt(r + 64 * 1024, 0);
        }), UnsupportedFeatureException.class, "required region 2dc27755-");
        // an unknown region that is not required is passed over
        Path optional = patched(b -> {
            b.putInt(r + 8, 3);
            b.put(r + 80, Guid.parse("12345678-1234-1234-1234-123456789abc").bytes());
            b.putLong(r + 96, 1L << 40);
            b.putInt(r + 104, 12345);
            b.putInt(r + 64 * 1024, 0);
        });
        ImageExerciser.exercise(FORMATS, optional, AS_VHDX, new ImageExerciser.Budget(8 * MB, 100, 0));
        assertRefused(patched(b -> {
            b.putLong(r + 32, BAT + 4096);
            b.putInt(r + 64 * 1024, 0);
        }), CorruptImageException.class, "BAT region at offset 3149824 (1048576 bytes) is not in whole MiB");
        assertRefused(patched(b -> {
            b.putLong(r + 64, 1L << 40);
            b.putInt(r + 64 * 1024, 0);
        }), CorruptImageException.class, "metadata region at offset 1099511627776 (1048576 bytes) passes the end");
    }

    @Test
    void metadata() throws IOException {
        assertRefused(patched(b -> b.put(METADATA, (byte) 'X')), CorruptImageException.class,
                "no \"metadata\" signature");
        assertRefused(patched(b -> b.putShort(METADATA + 10, (short) 2048)), CorruptImageException.class,
                "VHDX metadata table: 2048 entries are more than 2047");
        assertRefused(patched(b -> b.put(METADATA + 32 + 32 * 2, (byte) 0x55)), UnsupportedFeatureException.class,
                "is required but unknown");
        // an unknown item that is not required (a user's, say) is passed over, wherever it points
        ImageExerciser.exercise(FORMATS, patched(b -> {
            b.put(METADATA + 32 + 32 * 2, (byte) 0x55);
            b.putInt(METADATA + 32 + 32 * 2 + 16, 7);
            b.putInt(METADATA + 32 + 32 * 2 + 24, 1);
        }), AS_VHDX, new ImageExerciser.Budget(8 * MB, 100, 0));
        assertRefused(patched(b -> b.putInt(METADATA + 32 + 16, 100)), CorruptImageException.class,
                "(8 bytes) is not inside the 1048576-byte metadata region past its table");
        assertRefused(patched(b -> b.putInt(METADATA + 64 * 1024, 3 * MB)), CorruptImageException.class,
                "block size 3145728 is not a power of two from 1 MiB to 256 MiB");
        assertRefused(patched(b -> b.putInt(METADATA + 64 * 1024 + 3 * 4096, 1024)), CorruptImageException.class,
                "logical sector size 1024 is not 512 or 4096");
        assertRefused(patched(b -> b.putLong(METADATA + 64 * 1024 + 4096, 65L << 40)), ImageLimitException.class,
                "is more than the format's 64 TiB");
        assertRefused(patched(b -> b.putLong(METADATA + 64 * 1024 + 4096, 3L * MB + 100)),
                CorruptImageException.class, "virtual disk size 3145828 is not a multiple of the 512-byte");
        assertRefused(patched(b -> b.putInt(METADATA + 32 + 20, 2)), CorruptImageException.class,
                "the file parameters item is shorter than 8 bytes");
    }

    @Test
    void bat() throws IOException {
        assertRefused(patched(b -> b.putLong(BAT, (1000L << 20) | 6)), CorruptImageException.class,
                "VHDX BAT entry 0: the payload block at offset 1048576000 (1048576 bytes) is not inside");
        assertRefused(patched(b -> b.putLong(BAT + 8, 4)), CorruptImageException.class,
                "payload block 1 has the reserved state 4");
        assertRefused(patched(b -> b.putLong(BAT + 8, b.getLong(BAT) & ~7L | 7)), CorruptImageException.class,
                "payload block 1 is partially present in a disk without a parent");
        assertRefused(patched(b -> b.putLong(METADATA + 64 * 1024 + 4096, 40L << 40)), CorruptImageException.class,
                "VHDX BAT region of 1048576 bytes is smaller than the");
    }

    @Test
    void aReservedStateFailsTheReadsOfItsOwnBlockOnly() throws IOException {
        // block 0 reads as zeros, and a run of such blocks is merged while the next block is of the same kind
        Path file = patched(b -> b.putLong(BAT, PayloadMap.ZERO).putLong(BAT + 8, 4));
        try (Image image = FORMATS.open(file, AS_VHDX)) {
            assertThat(image.blockStatus(0, 2L * MB).length()).isEqualTo(MB);
            ByteBuffer first = ByteBuffer.allocate(MB);
            image.readFully(first, 0);
            assertThat(first.array()).isEqualTo(new byte[MB]);
            assertThatThrownBy(() -> image.readFully(ByteBuffer.allocate(MB), MB))
                    .isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("payload block 1 has the reserved state 4");
        }
    }

    @Test
    void theUnusedSectorBitmapEntriesOfADynamicDiskAreNotRead() throws IOException {
        // 4097 blocks of 1 MiB: entry 4096 is the first chunk's sector bitmap, unused without a parent
        VhdxBuilder builder = new VhdxBuilder(4097L * MB).block(4096, PayloadMap.FULLY_PRESENT,
                VhdxFixturesTest.pattern(MB, 5));
        long outside = (1L << 40) | PayloadMap.SECTOR_BITMAP_PRESENT;
        Path disk = patched(builder.build(), b -> b.putLong(BAT + 8 * 4096, outside));
        try (Image image = FORMATS.open(disk, AS_VHDX)) {
            ByteBuffer last = ByteBuffer.allocate(MB);
            image.readFully(last, 4096L * MB);
            assertThat(last.array()).isEqualTo(VhdxFixturesTest.pattern(MB, 5));
        }
        // a differencing disk reads them, so there the same entry is refused
        byte[] child = new VhdxBuilder(3L * MB).parent(Map.of("parent_linkage", "{" + Guid.ZERO + "}")).build();
        assertRefused(patched(child, b -> b.putLong(BAT + 8 * 4096, outside)),
                CorruptImageException.class, "VHDX BAT entry 4096: the sector bitmap block at offset 1099511627776");
    }

    @Test
    void batMemoryIsChargedToTheChain() throws IOException {
        VhdxBuilder builder = new VhdxBuilder(1L << 40);
        Path big = Files.write(dir.resolve("big.vhdx"), builder.build());
        assertThatThrownBy(() -> FORMATS.open(big, OpenOptions.builder().chainMemoryLimit(1 << 20).build()))
                .isInstanceOf(ImageLimitException.class).hasMessageContaining("VHDX BAT");
        ImageExerciser.exercise(FORMATS, big, AS_VHDX, new ImageExerciser.Budget(MB, 100, 0));
    }

    @Test
    void parentLocator() throws IOException {
        byte[] child = new VhdxBuilder(3L * MB).parent(Map.of("relative_path", "p.vhdx")).build();
        assertRefused(patched(child, b -> { }), CorruptImageException.class, "no parent_linkage GUID");
        int item = METADATA + 64 * 1024 + 5 * 4096;
        assertRefused(patched(child, b -> b.put(item, (byte) 0)), UnsupportedFeatureException.class,
                "VHDX parent locator type b04aef00-");
        assertRefused(patched(child, b -> b.putShort(item + 18, (short) 4000)), CorruptImageException.class,
                "VHDX parent locator: 4000 entries pass its");
        assertRefused(patched(child, b -> b.putInt(item + 20 + 4, 1 << 30)), CorruptImageException.class,
                "VHDX parent locator value 0 at offset 1073741824");
        assertRefused(patched(child, b -> b.putShort(METADATA + 10, (short) 5)), CorruptImageException.class,
                "VHDX differencing disk without a parent locator");
    }

    @Test
    void log() throws IOException {
        VhdxBuilder before = new VhdxBuilder(2L * MB).logLength(4 * MB)
                .block(0, PayloadMap.FULLY_PRESENT, new byte[MB]);
        VhdxBuilder after = new VhdxBuilder(2L * MB).logLength(4 * MB).block(0, PayloadMap.FULLY_PRESENT,
                VhdxFixturesTest.pattern(MB, 3)).block(1, PayloadMap.FULLY_PRESENT, VhdxFixturesTest.pattern(MB, 4));
        byte[] logged = VhdxBuilder.logOver(before.build(), after.build());
        int h = 128 * 1024;
        assertRefused(patched(logged, b -> b.putLong(h + 72, MB + 4096)), CorruptImageException.class,
                "the log at offset 1052672 (4194304 bytes) is not in whole MiB");
        assertRefused(patched(logged, b -> b.putInt(h + 68, 512 * MB)), ImageLimitException.class,
                "a log of 536870912 bytes is larger than the 268435456 this reader replays");
        assertRefused(patched(logged, b -> b.putShort(h + 64, (short) 1)), UnsupportedFeatureException.class,
                "log version 1 is not 0");
        // the entries were written for a longer file than this one
        ByteBuffer entry = ByteBuffer.wrap(logged, MB, MB).slice().order(ByteOrder.LITTLE_ENDIAN);
        entry.putLong(48, 1L << 40);
        entry.putInt(4, Checksums.compute(entry.slice(0, entry.getInt(8)).order(ByteOrder.LITTLE_ENDIAN), 4));
        assertRefused(patched(logged, b -> { }), CorruptImageException.class,
                "is shorter than the 1099511627776 its log entry 20 was written for");
    }

    @Test
    void everyTruncationIsRefusedOrReadsWithinTheFile() throws IOException {
        byte[] image = valid();
        for (int length = 0; length < image.length; length += 65521) {
            Path cut = Files.write(dir.resolve("cut.vhdx"), Arrays.copyOf(image, length));
            try {
                ImageExerciser.exercise(FORMATS, cut, AS_VHDX, new ImageExerciser.Budget(8 * MB, 100, 0));
            } catch (ImageException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }
}
