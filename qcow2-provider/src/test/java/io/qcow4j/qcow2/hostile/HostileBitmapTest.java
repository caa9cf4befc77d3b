package io.qcow4j.qcow2.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.spi.CorruptImageException;
import io.qcow4j.spi.Image;
import io.qcow4j.spi.ImageLimitException;
import io.qcow4j.spi.Images;
import io.qcow4j.spi.UnsupportedFeatureException;
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

    @Test
    void aBitmapTableTooSmallForTheDisk() {
        // 512-byte clusters and granularity: one table cluster covers 2 MiB of the 4 MiB disk
        Path small = Qemu.createQcow2(dir.resolve("small.qcow2"), "4M", "cluster_size=512");
        Qemu.run("qemu-img", "bitmap", "--add", "-g", "512", small.toString(), "fine");
        assertThat(Outcome.of(small)).isNull();
        ImagePatcher p = ImagePatcher.of(small);
        p.u32(entry(p, 0) + TABLE_SIZE, 1);
        Qemu.runForFailure("qemu-img", "info", small.toString());
        assertThat(Outcome.failure(small)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("covers 2097152 bytes of the 4194304-byte disk");
        // an in-use bitmap is not expected to match the disk: QEMU opens it, and so do we
        p.u32(entry(p, 0) + FLAGS, 1);
        assertThat(Outcome.of(small)).isNull();
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
}
