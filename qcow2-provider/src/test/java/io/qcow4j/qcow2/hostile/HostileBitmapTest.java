package io.qcow4j.qcow2.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntToLongFunction;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.ImageLimitException;
import io.qcow4j.Images;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.testing.Qemu;

/**
 * Damaged persistent bitmap directories. QEMU checks the directory when it opens an image and refuses the image when
 * a rule is broken; each case here is refused by qemu-img too, and by us with an exception that names the rule.
 */
class HostileBitmapTest {

    private static final long BITMAPS_EXTENSION = 0x23852875L;
    // offsets in the extension's data and in a directory entry
    private static final int NB_BITMAPS = 0;
    private static final int RESERVED = 4;
    private static final int DIRECTORY_SIZE = 8;
    private static final int TABLE_OFFSET = 0;
    private static final int TABLE_SIZE = 8;
    private static final int FLAGS = 12;
    private static final int TYPE = 16;
    private static final int GRANULARITY_BITS = 17;
    private static final int EXTRA_SIZE = 20;

    @TempDir
    static Path fixtures;
    @TempDir
    Path dir;

    /** Two bitmaps: "b0" (64 KiB granularity, auto) then "b1" (128 KiB, disabled). */
    private static Path twoBitmaps;

    @BeforeAll
    static void images() {
        Qemu.require("qemu-img");
        twoBitmaps = Qemu.createQcow2(fixtures.resolve("bitmaps.qcow2"), "1M");
        Qemu.io(twoBitmaps, "qcow2", "write -P 0x5a 0 64k");
        Qemu.run("qemu-img", "bitmap", "--add", twoBitmaps.toString(), "b0");
        Qemu.run("qemu-img", "bitmap", "--add", "-g", "128k", "--disable", twoBitmaps.toString(), "b1");
    }

    private ImagePatcher damaged() {
        return ImagePatcher.copy(twoBitmaps, dir.resolve("damaged.qcow2"));
    }

    private static long extensionData(ImagePatcher p) {
        return p.extension(BITMAPS_EXTENSION) + 8;
    }

    private static long directory(ImagePatcher p) {
        return p.get(extensionData(p) + 16, 8);
    }

    /** The directory entry of bitmap {@code index}, walking the 8-byte aligned entries. */
    private static long entry(ImagePatcher p, int index) {
        long at = directory(p);
        for (int i = 0; i < index; i++) {
            at += (24 + p.get(at + 18, 2) + p.get(at + EXTRA_SIZE, 4) + 7) & ~7L;
        }
        return at;
    }

    /** Damages a copy, checks that qemu-img refuses it, and returns our failure. */
    private IOException refused(Consumer<ImagePatcher> damage) {
        ImagePatcher p = damaged();
        damage.accept(p);
        Qemu.runForFailure("qemu-img", "info", p.path().toString());
        return Outcome.failure(p.path());
    }

    @Test
    void theUndamagedImageOpens() throws IOException {
        try (Image image = Images.open(twoBitmaps)) {
            assertThat(image.info().toString()).contains("b0").contains("b1");
        }
        assertThat(Outcome.of(twoBitmaps)).isNull();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 3})
    void aCountThatDisagreesWithTheDirectory(long count) {
        assertThat(refused(p -> p.u32(extensionData(p) + NB_BITMAPS, count)))
                .isExactlyInstanceOf(CorruptImageException.class).hasMessageContaining("bitmap directory")
                .hasMessageContaining("the bitmaps extension names");
    }

    @Test
    void noBitmapsInTheExtension() {
        assertThat(refused(p -> p.u32(extensionData(p) + NB_BITMAPS, 0)))
                .isExactlyInstanceOf(CorruptImageException.class).hasMessageContaining("nb_bitmaps is 0");
    }

    @Test
    void theReservedFieldSet() {
        assertThat(refused(p -> p.u32(extensionData(p) + RESERVED, 1)))
                .isExactlyInstanceOf(CorruptImageException.class).hasMessageContaining("reserved field is 0x1");
    }

    @Test
    void anEmptyDirectory() {
        assertThat(refused(p -> p.u64(extensionData(p) + DIRECTORY_SIZE, 0)))
                .isExactlyInstanceOf(CorruptImageException.class).hasMessageContaining("bitmap_directory_size is 0");
    }

    @Test
    void aDirectoryCutShort() {
        // the second entry no longer fits
        assertThat(refused(p -> p.u64(extensionData(p) + DIRECTORY_SIZE, 40)))
                .isExactlyInstanceOf(CorruptImageException.class).hasMessageContaining("entry 1")
                .hasMessageContaining("passes the end of the 40-byte directory");
    }

    @Test
    void extraDataInAnEntry() {
        assertThat(refused(p -> p.u32(entry(p, 0) + EXTRA_SIZE, 8)))
                .isExactlyInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("extra data");
    }

    @Test
    void anUnknownBitmapType() {
        assertThat(refused(p -> p.u8(entry(p, 1) + TYPE, 2)))
                .isExactlyInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("bitmap 1 ('b1')")
                .hasMessageContaining("type 2");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 8, 32, 63, 255})
    void aGranularityOutOfRange(int bits) {
        assertThat(refused(p -> p.u8(entry(p, 0) + GRANULARITY_BITS, bits)))
                .isExactlyInstanceOf(CorruptImageException.class).hasMessageContaining("bitmap 0 ('b0')")
                .hasMessageContaining("granularity_bits " + bits + " is outside 9..31");
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 0x80000000L})
    void reservedFlags(long flags) {
        assertThat(refused(p -> p.u32(entry(p, 0) + FLAGS, flags | 2)))
                .isExactlyInstanceOf(CorruptImageException.class).hasMessageContaining("reserved flags set");
    }

    @Test
    void noBitmapTable() {
        assertThat(refused(p -> p.u32(entry(p, 0) + TABLE_SIZE, 0)))
                .isExactlyInstanceOf(CorruptImageException.class).hasMessageContaining("no bitmap table");
        assertThat(refused(p -> p.u64(entry(p, 1) + TABLE_OFFSET, 0)))
                .isExactlyInstanceOf(CorruptImageException.class).hasMessageContaining("no bitmap table");
    }

    @Test
    void anUnalignedBitmapTable() {
        assertThat(refused(p -> p.u64(entry(p, 0) + TABLE_OFFSET, p.get(entry(p, 0), 8) + 512)))
                .isExactlyInstanceOf(CorruptImageException.class).hasMessageContaining("bitmap_table_offset")
                .hasMessageContaining("not aligned to the cluster size 65536");
    }

    @ParameterizedTest
    @ValueSource(longs = {0x2001, 0x8000001L, 0xffffffffL})
    void aBitmapTableOverQemusLimits(long size) {
        assertThat(refused(p -> p.u32(entry(p, 0) + TABLE_SIZE, size)))
                .isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("bitmap_table_size " + size + " exceeds");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 3})
    void aBitmapTableOfAnotherSizeThanTheDisksBitmap(long tableSize) {
        // 512-byte clusters and granularity: the 4 MiB disk's bitmap is 1 KiB, two table clusters; QEMU refuses
        // a table of any other size when it loads the bitmap
        Path small = Qemu.createQcow2(dir.resolve("small.qcow2"), "4M", "cluster_size=512");
        Qemu.run("qemu-img", "bitmap", "--add", "-g", "512", small.toString(), "fine");
        assertThat(Outcome.of(small)).isNull();
        ImagePatcher p = ImagePatcher.of(small);
        assertThat(p.get(entry(p, 0) + TABLE_SIZE, 4)).isEqualTo(2);
        p.u32(entry(p, 0) + TABLE_SIZE, tableSize);
        // too small: "doesn't satisfy the constraints"; too large: "Could not read bitmap"
        assertThat(Qemu.runForFailure("qemu-img", "info", small.toString())).containsIgnoringCase("bitmap 'fine'");
        assertThat(Outcome.failure(small)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("bitmap_table_size " + tableSize + " does not fit the 4194304-byte disk, whose"
                        + " bitmap at granularity 512 takes 2 clusters");
        // an in-use bitmap is not expected to match the disk: QEMU opens it, and so do we
        p.u32(entry(p, 0) + FLAGS, 1);
        assertThat(Outcome.of(small)).isNull();
    }

    @Test
    void aBitmapOfADiskOfLessThanASector() {
        // QEMU sizes a bitmap by whole sectors: a disk of under 512 bytes has no bitmap to load, and QEMU refuses
        Path image = Qemu.createQcow2(dir.resolve("tiny.qcow2"), "64k");
        Qemu.run("qemu-img", "bitmap", "--add", image.toString(), "b");
        ImagePatcher p = ImagePatcher.of(image).set(HeaderField.SIZE, 1);
        assertThat(Qemu.runForFailure("qemu-img", "info", image.toString())).contains("Could not read bitmap 'b'");
        assertThat(Outcome.failure(image)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("bitmap_table_size 1 does not fit the 0-byte disk");
        assertThat(p.get(HeaderField.SIZE)).isEqualTo(1);
    }

    /** Every table qemu-img sizes is the size we expect, over disk sizes, cluster sizes and granularities. */
    @ParameterizedTest
    @CsvSource({"512, 512, 1", "512, 512, 33k", "512, 64k, 4M", "4k, 512, 1M", "4k, 4k, 2147483647",
            "64k, 64k, 1G", "64k, 512, 100M", "64k, 2M, 1000000", "2M, 512, 8G", "2M, 64k, 3", "1k, 1M, 16G"})
    void qemuSizesEveryTableAsWeDo(String clusterSize, String granularity, String diskSize) {
        Path image = Qemu.createQcow2(dir.resolve("sized.qcow2"), diskSize, "cluster_size=" + clusterSize);
        Qemu.run("qemu-img", "bitmap", "--add", "-g", granularity, image.toString(), "b");
        assertThat(Outcome.of(image)).isNull();
        ImagePatcher p = ImagePatcher.of(image);
        // one bit per granule, in 64-bit words, in whole clusters
        long bits = ceilDiv(p.get(HeaderField.SIZE), bytes(granularity));
        assertThat(p.get(entry(p, 0) + TABLE_SIZE, 4)).isEqualTo(ceilDiv(ceilDiv(bits, 64) * 8, bytes(clusterSize)));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long bytes(String size) {
        long unit = switch (size.charAt(size.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        return unit == 1 ? Long.parseLong(size) : unit * Long.parseLong(size.substring(0, size.length() - 1));
    }

    @Test
    void twoBitmapsOfTheSameName() {
        assertThat(refused(p -> p.bytes(entry(p, 1) + 24, "b0".getBytes(StandardCharsets.US_ASCII))))
                .isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("two bitmaps are named 'b0'");
    }

    /** Reserved bits, a data offset off the cluster size, the all-ones flag beside an offset: QEMU's rules. */
    @ParameterizedTest
    @ValueSource(longs = {0x2L, 0x100L, 1L << 56, 1L << 63, 0x10200L, 0x10001L})
    void anInvalidBitmapTableEntry(long tableEntry) {
        assertThat(refused(p -> p.u64(p.get(entry(p, 0) + TABLE_OFFSET, 8), tableEntry)))
                .isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("bitmap 0 ('b0'): bitmap table entry 0 is invalid");
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, 1L, 0x10000L})
    void aValidBitmapTableEntryIsAccepted(long tableEntry) {
        // no data cluster, all ones, or data in a cluster
        ImagePatcher p = damaged();
        p.u64(p.get(entry(p, 0) + TABLE_OFFSET, 8), tableEntry);
        Qemu.run("qemu-img", "info", p.path().toString());
        assertThat(Outcome.of(p.path())).isNull();
    }

    @Test
    void theTableOfABitmapInUseIsNotLoadedSoNotChecked() throws IOException {
        ImagePatcher p = damaged();
        p.u64(p.get(entry(p, 0) + TABLE_OFFSET, 8), 0x2L).u32(entry(p, 0) + FLAGS, 1);
        assertThat(Qemu.run("qemu-img", "info", p.path().toString())).contains("b0");
        assertThat(Outcome.of(p.path())).isNull();
    }

    @Test
    void withTheAutoclearBitClearTheBitmapsAreIgnored() throws IOException {
        // a program that knows no bitmaps wrote the image since: QEMU ignores the extension, damaged or not
        ImagePatcher p = damaged();
        p.u32(extensionData(p) + NB_BITMAPS, 7).set(HeaderField.AUTOCLEAR_FEATURES, 0);
        assertThat(Qemu.run("qemu-img", "info", p.path().toString())).doesNotContain("b0");
        try (Image image = Images.open(p.path())) {
            assertThat(image.info().toString()).doesNotContain("b0");
        }
        assertThat(Outcome.of(p.path())).isNull();
    }

    @Test
    void anExtensionOfTheWrongLength() {
        assertThat(refused(p -> p.u32(p.extension(BITMAPS_EXTENSION) + 4, 32)))
                .isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("bitmaps extension of 32 bytes, expected 24");
    }
    /**
     * Replaces the directory with one of {@code count} copies of bitmap 0's entry, named m00000, m00001, ..., the
     * table of copy i at {@code tableOffset(i)}, written at the end of the file.
     */
    private static void manyBitmaps(ImagePatcher p, int count, IntToLongFunction tableOffset) {
        long first = entry(p, 0);
        long fields = p.get(first + FLAGS, 8);      // flags, type, granularity, name size, as a block
        long tableSize = p.get(first + TABLE_SIZE, 4);
        int entryBytes = 32;                        // 24 fixed, a 6-byte name, padding to 8
        ByteBuffer directory = ByteBuffer.allocate(count * entryBytes);
        for (int i = 0; i < count; i++) {
            int at = i * entryBytes;
            directory.putLong(at, tableOffset.applyAsLong(i)).putInt(at + TABLE_SIZE, (int) tableSize)
                    .putLong(at + FLAGS, fields).putShort(at + 18, (short) 6).putInt(at + EXTRA_SIZE, 0)
                    .put(at + 24, String.format("m%05d", i).getBytes(StandardCharsets.US_ASCII));
        }
        long cluster = p.clusterSize();
        long directoryOffset = (p.size() + cluster - 1) / cluster * cluster;
        p.bytes(directoryOffset, directory.array());
        p.u32(extensionData(p) + NB_BITMAPS, count).u64(extensionData(p) + DIRECTORY_SIZE, directory.capacity())
                .u64(extensionData(p) + 16, directoryOffset);
    }

    @Test
    void theMostBitmapsQemuAllowsSharingOneTableOpenAtOnce() throws IOException {
        ImagePatcher p = damaged();
        long table = p.get(entry(p, 0) + TABLE_OFFSET, 8);
        manyBitmaps(p, 65535, i -> table);
        // each name is checked against the others through a set, and the shared table once: a pairwise check and a
        // table read per entry took over a minute
        List<?> bitmaps = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (Image image = Images.open(p.path())) {
                return (List<?>) image.info().formatSpecific().get("bitmaps");
            }
        });
        assertThat(bitmaps).hasSize(65535);
        assertThat(bitmaps.get(65534).toString()).contains("m65534");
    }

    @Test
    void bitmapTablesOfMoreThan256MiBInAllAreRefused() {
        // 512-byte clusters and granularity on a 4 GiB disk: each bitmap's table is 2,048 entries, 16 KiB, so
        // 16,385 distinct tables (zeros, in a sparse file) pass the limit by one
        Path big = Qemu.createQcow2(dir.resolve("big.qcow2"), "4G", "cluster_size=512");
        Qemu.run("qemu-img", "bitmap", "--add", "-g", "512", big.toString(), "fine");
        ImagePatcher p = ImagePatcher.of(big);
        assertThat(p.get(entry(p, 0) + TABLE_SIZE, 4)).isEqualTo(2048);
        long tables = (p.size() + 4095) / 4096 * 4096;
        p.truncate(tables + 16385L * 16384);
        manyBitmaps(p, 16385, i -> tables + i * 16384L);
        assertThat(Outcome.failure(big)).isExactlyInstanceOf(ImageLimitException.class).hasMessage(big
                + ": bitmap directory: the bitmap tables up to bitmap 16384 ('m16384') take more than 256 MiB");

        manyBitmaps(p, 16384, i -> tables + i * 16384L);
        assertThat(Outcome.of(big)).isNull();
    }
}
