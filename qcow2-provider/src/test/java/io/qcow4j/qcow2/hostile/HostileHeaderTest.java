package io.qcow4j.qcow2.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.CorruptImageException;
import io.qcow4j.EncryptedImageException;
import io.qcow4j.FilePolicy;
import io.qcow4j.Image;
import io.qcow4j.ImageLimitException;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.testing.ImageExerciser;
import io.qcow4j.testing.Qemu;

/**
 * Damaged headers, extensions and table pointers of qemu-img-made images: each is refused on open with its own
 * exception type and a message that names the field and its value.
 */
class HostileHeaderTest {

    private static final int FEATURE_NAMES = 0x6803f857;

    @TempDir
    static Path fixtures;
    @TempDir
    Path dir;

    /** v3, 512-byte clusters: two L2 tables, data, zero and unallocated clusters. */
    private static Path v3;
    /** v3, 4 KiB clusters, zstd-compressed. */
    private static Path zstd;

    @BeforeAll
    static void images() {
        Qemu.require("qemu-img");
        v3 = Fixtures.plain(fixtures, "v3.qcow2", "1.1", 512);
        zstd = Fixtures.compressed(fixtures, "zstd.qcow2", "1.1", 4096, "zstd");
    }

    private ImagePatcher copyOf(Path image) {
        return ImagePatcher.copy(image, dir.resolve("damaged.qcow2"));
    }

    @Test
    void theUndamagedFixturesReadLikeQemu() throws IOException {
        for (Path image : List.of(v3, zstd)) {
            assertThat(Outcome.of(image)).isNull();
            try (Image opened = Images.open(image, Outcome.SAFE)) {
                Bytes.assertSame(ImageExerciser.readAll(opened), Fixtures.expected(image), image.toString());
            }
        }
    }

    // ---- L1 table

    @Test
    void zeroL1SizeForANonEmptyDisk() {
        ImagePatcher p = copyOf(v3).set(HeaderField.L1_SIZE, 0);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("l1_size 0").hasMessageContaining("virtual size " + Fixtures.SIZE);
    }

    @ParameterizedTest
    @ValueSource(longs = {0x400001L, 0x10000000L, 0x7fffffffL, 0x80000000L, 0xffffffffL})
    void hugeL1SizesAreOverTheLimit(long l1Size) {
        ImagePatcher p = copyOf(v3).set(HeaderField.L1_SIZE, l1Size);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("l1_size " + l1Size).hasMessageContaining("33554432");
    }

    @Test
    void anL1TableReachingPastTheEndOfTheFile() {
        ImagePatcher p = copyOf(v3);
        p.set(HeaderField.L1_SIZE, 0x400000); // 32 MiB of entries, within the limit, but the file is a few KiB
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("l1_table_offset " + p.get(HeaderField.L1_TABLE_OFFSET))
                .hasMessageContaining("past the end");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 8, 0x1ff})
    void unalignedL1TableOffset(long delta) {
        ImagePatcher p = copyOf(v3);
        long offset = p.get(HeaderField.L1_TABLE_OFFSET) + delta;
        p.set(HeaderField.L1_TABLE_OFFSET, offset);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("l1_table_offset " + offset).hasMessageContaining("not aligned");
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 40, 0x7ffffffffffffe00L})
    void l1TableOffsetOutsideTheFile(long offset) {
        ImagePatcher p = copyOf(v3).set(HeaderField.L1_TABLE_OFFSET, offset);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("l1_table_offset " + Long.toUnsignedString(offset))
                .hasMessageContaining("past the end");
    }

    @Test
    void l1TableOffsetOver2To63() {
        ImagePatcher p = copyOf(v3).set(HeaderField.L1_TABLE_OFFSET, 0xfffffffffffffe00L);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("l1_table_offset 18446744073709551104 is over " + Long.MAX_VALUE);
    }

    @Test
    void l1TableOnTheHeaderCluster() {
        ImagePatcher p = copyOf(v3).set(HeaderField.L1_TABLE_OFFSET, 0);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("l1_table_offset is 0");
    }

    // ---- refcount table: never read, but checked as QEMU does

    @Test
    void unalignedRefcountTableOffset() {
        ImagePatcher p = copyOf(v3);
        long offset = p.get(HeaderField.REFCOUNT_TABLE_OFFSET) + 24;
        p.set(HeaderField.REFCOUNT_TABLE_OFFSET, offset);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("refcount_table_offset " + offset).hasMessageContaining("not aligned");
    }

    @ParameterizedTest
    @ValueSource(longs = {0x4001, 0x7fffffffL, 0xffffffffL})
    void hugeRefcountTables(long clusters) {
        ImagePatcher p = copyOf(v3).set(HeaderField.REFCOUNT_TABLE_CLUSTERS, clusters);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("refcount_table_clusters " + clusters).hasMessageContaining("8388608");
    }

    @Test
    void noRefcountTable() {
        // QEMU refuses the image; nothing a reader does needs the table, but no image QEMU writes lacks one
        ImagePatcher p = copyOf(v3).set(HeaderField.REFCOUNT_TABLE_CLUSTERS, 0);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("refcount_table_clusters is 0");
        assertThat(Qemu.runForFailure("qemu-img", "info", p.path().toString()))
                .contains("does not contain a reference count table");
    }

    @Test
    void refcountTableOverflowingTheOffsetRange() {
        ImagePatcher p = copyOf(v3).set(HeaderField.REFCOUNT_TABLE_OFFSET, 0x7ffffffffffffe00L)
                .set(HeaderField.REFCOUNT_TABLE_CLUSTERS, 2);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("refcount_table_offset 9223372036854775296");
    }

    // ---- snapshot table pointers (the table itself: HostileSnapshotTest)

    @Test
    void unalignedSnapshotTable() {
        ImagePatcher p = copyOf(v3).set(HeaderField.NB_SNAPSHOTS, 1).set(HeaderField.SNAPSHOTS_OFFSET, 0x208);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("snapshots_offset 520").hasMessageContaining("not aligned");
    }

    @Test
    void snapshotTablePastTheEndOfTheFile() {
        ImagePatcher p = copyOf(v3);
        long end = (p.size() + 511) & ~511L;
        p.set(HeaderField.NB_SNAPSHOTS, 1).set(HeaderField.SNAPSHOTS_OFFSET, end);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("snapshots_offset " + end).hasMessageContaining("past the end");
    }

    @ParameterizedTest
    @ValueSource(longs = {0x8000000000000000L, 0xfffffffffffff000L})
    void aSnapshotTableOffsetOver2To63EvenWithNoSnapshots(long offset) {
        // QEMU checks the offset whatever the count ("Snapshot table offset invalid"), and so do we
        ImagePatcher p = copyOf(v3).set(HeaderField.NB_SNAPSHOTS, 0).set(HeaderField.SNAPSHOTS_OFFSET, offset);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("snapshots_offset " + Long.toUnsignedString(offset) + " is over "
                        + Long.MAX_VALUE);
        assertThat(Qemu.runForFailure("qemu-img", "info", p.path().toString()))
                .contains("Snapshot table offset invalid");
    }

    // ---- header_length and extensions

    @ParameterizedTest
    @ValueSource(longs = {0, 72, 100})
    void headerLengthTooSmall(long length) {
        ImagePatcher p = copyOf(v3).set(HeaderField.HEADER_LENGTH, length);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("header_length " + length).hasMessageContaining("104");
    }

    /** The specification asks for a multiple of 8, but QEMU reads any length: so do we, the same bytes. */
    @ParameterizedTest
    @ValueSource(longs = {105, 111, 113, 204})
    void oddHeaderLengthReadsAsQemuReadsIt(long length) throws IOException {
        ImagePatcher p = copyOf(v3).set(HeaderField.HEADER_LENGTH, length);
        assertThat(Outcome.of(p.path())).isNull();
        try (Image image = Images.open(p.path(), Outcome.SAFE)) {
            Bytes.assertSame(ImageExerciser.readAll(image), Fixtures.expected(p.path()), "header_length " + length);
        }
    }

    /**
     * QEMU reads a backing name wherever it lies in cluster 0, over the header too: here the header's bytes there
     * start with a NUL (the high bytes of a small field), which makes an empty name, so no backing file.
     */
    @ParameterizedTest
    @CsvSource({"8, 0", "8, 20", "100, 0", "100, 4"})
    void aBackingNameOverTheHeader(long offset, long size) throws IOException {
        ImagePatcher p = copyOf(v3).set(HeaderField.BACKING_FILE_OFFSET, offset)
                .set(HeaderField.BACKING_FILE_SIZE, size);
        try (Image image = Images.open(p.path(), OpenOptions.defaults())) {
            assertThat(image.backing()).isEmpty();
            Bytes.assertSame(ImageExerciser.readAll(image), Fixtures.expected(p.path()), "name at " + offset);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {520, 4096, 0x7ffffff8L, 0x80000000L, 0xfffffff8L})
    void headerLengthPastTheHeaderCluster(long length) {
        ImagePatcher p = copyOf(v3).set(HeaderField.HEADER_LENGTH, length);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("header_length " + length).hasMessageContaining("cluster size 512");
    }

    @Test
    void aHeaderLengthUpToTheEndOfClusterZeroIsValid() throws IOException {
        // 512 - 8: the header claims all of cluster 0 but the last 8 bytes, which hold no extension; still valid
        ImagePatcher p = copyOf(v3).set(HeaderField.HEADER_LENGTH, 504);
        assertThat(Outcome.of(p.path())).isNull();
    }

    @ParameterizedTest
    @ValueSource(longs = {0xffffffffL, 0x80000000L, 4096, 512 - 112 - 8 + 1})
    void anExtensionLongerThanItsArea(long length) {
        ImagePatcher p = copyOf(v3).u32(112, 0x12345678).u32(116, length);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("header extension 0x12345678 at offset 112 too large")
                .hasMessageContaining("length " + length);
    }

    @Test
    void anExtensionHeaderCutByTheEndOfTheArea() {
        // the area ends at the backing file name, at 500: an extension ends at 496, the next 8-byte header does
        // not fit
        ImagePatcher p = copyOf(v3).set(HeaderField.BACKING_FILE_OFFSET, 500).set(HeaderField.BACKING_FILE_SIZE, 12);
        p.u32(112, 0x12345678).u32(116, 496 - 120);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("header extension at offset 496 too large")
                .hasMessageContaining("extension area at 500");
    }

    @Test
    void anExtensionOverrunningTheBackingFileName() throws IOException {
        Path base = Fixtures.content(dir.resolve("base.raw"));
        Path overlay = Qemu.createQcow2(dir.resolve("overlay.qcow2"), Long.toString(Fixtures.SIZE),
                "cluster_size=512", "backing_file=base.raw", "backing_fmt=raw");
        ImagePatcher p = ImagePatcher.of(overlay);
        long nameAt = p.get(HeaderField.BACKING_FILE_OFFSET);
        assertThat(p.get(112, 4)).as("backing format extension first").isEqualTo(0xe2792acaL);
        assertThat(Outcome.of(overlay, Outcome.SAFE.toBuilder().filePolicy(FilePolicy.allowAll()).build())).isNull();
        p.u32(116, nameAt - 112 - 8 + 1);
        assertThat(Outcome.failure(overlay, Outcome.SAFE.toBuilder().filePolicy(FilePolicy.allowAll()).build()))
                .isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("header extension 0xe2792aca at offset 112 too large")
                .hasMessageContaining("extension area at " + nameAt);
        assertThat(base).exists();
    }

    @Test
    void anOverlongBackingFormatName() {
        ImagePatcher p = copyOf(v3).u32(112, 0xe2792acaL).u32(116, 32).bytes(120,
                "qcow2qcow2qcow2qcow2qcow2qcow2qc".getBytes(StandardCharsets.US_ASCII)).u64(152, 0);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("backing format extension of 32 bytes");
    }

    @Test
    void anEncryptionHeaderExtensionInAnImageThatIsNotEncrypted() {
        ImagePatcher p = copyOf(v3).u32(112, 0x0537be77L).u32(116, 16).u64(120, 0x10000).u64(128, 0x1000)
                .u64(136, 0);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("encryption header extension but is not encrypted");
        assertThat(Qemu.runForFailure("qemu-img", "info", p.path().toString()))
                .contains("only expected with LUKS");
    }

    @Test
    void manyEmptyExtensionsAreBoundedByTheArea() throws IOException {
        // 49 unknown empty extensions then the end marker: all fit in cluster 0 and are skipped
        ImagePatcher p = copyOf(v3);
        for (int at = 112; at < 504; at += 8) {
            p.u32(at, 0x0badcafe).u32(at + 4, 0);
        }
        p.u64(504, 0);
        assertThat(Outcome.of(p.path())).isNull();
        // and with no end marker, the last one runs into the end of the area: still bounded, still valid
        p.u32(504, 0x0badcafe).u32(508, 0);
        assertThat(Outcome.of(p.path())).isNull();
    }

    @Test
    void aBitmapDirectoryTooLargeOrPastTheEndOfTheFile() throws IOException {
        Path withBitmap = ImagePatcher.copy(v3, dir.resolve("bitmap.qcow2")).path();
        Qemu.run("qemu-img", "bitmap", "--add", withBitmap.toString(), "b0");
        assertThat(Outcome.of(withBitmap)).isNull();
        long ext = ImagePatcher.of(withBitmap).extension(0x23852875);

        ImagePatcher tooMany = ImagePatcher.copy(withBitmap, dir.resolve("many.qcow2")).u32(ext + 8, 65536);
        assertThat(Outcome.failure(tooMany.path())).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("nb_bitmaps 65536");
        ImagePatcher tooLarge = ImagePatcher.copy(withBitmap, dir.resolve("large.qcow2")).u64(ext + 16, 1L << 40);
        assertThat(Outcome.failure(tooLarge.path())).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("bitmap_directory_size " + (1L << 40));
        // within the limit, but not within the file: refused before anything is allocated for it
        ImagePatcher pastEnd = ImagePatcher.copy(withBitmap, dir.resolve("past.qcow2")).u64(ext + 16, 32 << 20);
        assertThat(Outcome.failure(pastEnd.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("bitmap directory").hasMessageContaining("passes the end");
        ImagePatcher offset = ImagePatcher.copy(withBitmap, dir.resolve("offset.qcow2")).u64(ext + 24, -512);
        assertThat(Outcome.failure(offset.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("bitmap directory");
    }

    // ---- feature bits

    @Test
    void unknownIncompatibleBitWithoutAName() {
        ImagePatcher p = copyOf(v3).set(HeaderField.INCOMPATIBLE_FEATURES, 1L << 5);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("bit 5");
    }

    @Test
    void manyUnknownIncompatibleBitsStayOneShortLine() {
        ImagePatcher p = copyOf(v3).set(HeaderField.INCOMPATIBLE_FEATURES, 0xffffffffffffffe0L);
        Throwable failure = Outcome.failure(p.path());
        assertThat(failure).isExactlyInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("unknown incompatible feature bits 5, 6, 7, 8")
                .hasMessageContaining(", 62, 63 (incompatible_features 0xffffffffffffffe0)");
        assertThat(failure.getMessage()).hasSizeLessThan(400).doesNotContain("\n");
    }

    @Test
    void unknownIncompatibleBitNamedByTheFeatureTable() {
        ImagePatcher p = copyOf(v3).set(HeaderField.INCOMPATIBLE_FEATURES, (1L << 5) | (1L << 63));
        featureNameTable(p, new int[] {0, 5}, "frobnicated clusters", new int[] {1, 5}, "a compatible name");
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("frobnicated clusters").hasMessageContaining("bit 63")
                .hasMessageNotContaining("a compatible name");
    }

    @Test
    void unknownCompatibleAndAutoclearBitsAreIgnored() throws IOException {
        ImagePatcher p = copyOf(v3).set(HeaderField.COMPATIBLE_FEATURES, -2L)
                .set(HeaderField.AUTOCLEAR_FEATURES, ~(1L << 1));
        assertThat(Outcome.of(p.path())).isNull();
        try (Image image = Images.open(p.path(), Outcome.SAFE)) {
            Bytes.assertSame(ImageExerciser.readAll(image), Fixtures.expected(v3), "unknown compatible bits");
        }
    }

    @Test
    void extendedL2BitOnClustersTooSmallForSubclusters() {
        ImagePatcher p = copyOf(v3).set(HeaderField.INCOMPATIBLE_FEATURES, 1L << 4);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("extended L2").hasMessageContaining("cluster size is 512");
    }

    @Test
    void dataFileBitWithoutADataFileName() {
        ImagePatcher p = copyOf(v3).set(HeaderField.INCOMPATIBLE_FEATURES, 1L << 2);
        assertThat(Outcome.failure(p.path(), Outcome.SAFE.toBuilder().filePolicy(FilePolicy.allowAll()).build()))
                .isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("external data file").hasMessageContaining("no data file name");
    }

    @Test
    void dataFileRawBitWithoutADataFile() {
        ImagePatcher p = copyOf(v3).set(HeaderField.AUTOCLEAR_FEATURES, 1L << 1);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("data-file-raw");
    }

    @Test
    void compressionTypeAndItsFeatureBitMustAgree() {
        ImagePatcher zstdWithoutBit = copyOf(zstd).set(HeaderField.INCOMPATIBLE_FEATURES, 0);
        assertThat(Outcome.failure(zstdWithoutBit.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("compression_type is 1 (zstd)");
        ImagePatcher bitWithoutZstd = copyOf(zstd).set(HeaderField.COMPRESSION_TYPE, 0);
        assertThat(Outcome.failure(bitWithoutZstd.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("compression_type is 0");
        ImagePatcher unknown = copyOf(zstd).set(HeaderField.COMPRESSION_TYPE, 2);
        assertThat(Outcome.failure(unknown.path())).isExactlyInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("compression_type 2");
        ImagePatcher shortHeader = copyOf(zstd).set(HeaderField.HEADER_LENGTH, 104);
        assertThat(Outcome.failure(shortHeader.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("header_length 104");
    }

    // ---- the fixed fields QEMU refuses outright

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 4, 0xffffffffL})
    void unknownVersions(long version) {
        ImagePatcher p = copyOf(v3).set(HeaderField.VERSION, version);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("version " + version);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 8, 22, 63, 64, 0x80000009L, 0xffffffffL})
    void clusterBitsOutOfRange(long bits) {
        ImagePatcher p = copyOf(v3).set(HeaderField.CLUSTER_BITS, bits);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("cluster_bits " + bits).hasMessageContaining("9..21");
    }

    @ParameterizedTest
    @ValueSource(longs = {7, 64, 0xffffffffL})
    void refcountOrderOutOfRange(long order) {
        ImagePatcher p = copyOf(v3).set(HeaderField.REFCOUNT_ORDER, order);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("refcount_order " + order);
    }

    @Test
    void badMagicWhenQcow2IsAskedFor() {
        ImagePatcher p = copyOf(v3).set(HeaderField.MAGIC, 0x514649fcL);
        assertThat(Outcome.failure(p.path(), Outcome.SAFE.toBuilder().format("qcow2").build()))
                .isExactlyInstanceOf(CorruptImageException.class).hasMessageContaining("magic 0x514649fc");
    }

    @ParameterizedTest
    @ValueSource(longs = {1024, 0xffffffffL})
    void backingFileNameTooLong(long length) {
        ImagePatcher p = copyOf(v3).set(HeaderField.BACKING_FILE_OFFSET, 200).set(HeaderField.BACKING_FILE_SIZE,
                length);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("backing_file_size " + length).hasMessageContaining("1023");
    }

    @ParameterizedTest
    @ValueSource(longs = {500, 513, 1L << 40, -1L})
    void backingFileNameOutsideTheHeaderCluster(long offset) {
        ImagePatcher p = copyOf(v3).set(HeaderField.BACKING_FILE_OFFSET, offset).set(HeaderField.BACKING_FILE_SIZE,
                20);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("backing_file_offset " + Long.toUnsignedString(offset));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 20})
    void anEmptyBackingFileNameIsNoBackingFile(int size) throws IOException {
        // QEMU: a name of size 0, or one that starts with a NUL, means no backing file; safe mode has nothing to refuse
        ImagePatcher p = copyOf(v3).set(HeaderField.BACKING_FILE_OFFSET, 200).set(HeaderField.BACKING_FILE_SIZE,
                size);
        assertThat(Outcome.of(p.path())).isNull();
        try (Image image = Images.open(p.path(), Outcome.SAFE)) {
            assertThat(image.backing()).isEmpty();
            assertThat(image.info().backingFilename()).isNull();
            Bytes.assertSame(ImageExerciser.readAll(image), Fixtures.expected(p.path()), "empty backing name");
        }
    }

    // ---- encryption

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void encryptedImagesAreRefusedByName(int method) {
        ImagePatcher p = copyOf(v3).set(HeaderField.CRYPT_METHOD, method);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(EncryptedImageException.class)
                .hasMessageContaining("crypt_method " + method)
                .hasMessageContaining(method == 1 ? "AES" : "LUKS");
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 0x80000000L, 0xffffffffL})
    void unknownCryptMethods(long method) {
        ImagePatcher p = copyOf(v3).set(HeaderField.CRYPT_METHOD, method);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("crypt_method " + method);
    }

    @Test
    void anAesImageMadeByQemuImg() throws IOException {
        // qemu-img takes seconds to make a LUKS image (key-slot benchmarking), so LUKS is the patched case above
        Path aes = dir.resolve("aes.qcow2");
        Qemu.run("qemu-img", "create", "-q", "--object", "secret,id=sec0,data=hunter2", "-f", "qcow2", "-o",
                "encrypt.format=aes,encrypt.key-secret=sec0", aes.toString(), "64k");
        assertThat(Files.size(aes)).isPositive();
        assertThat(Outcome.failure(aes)).isExactlyInstanceOf(EncryptedImageException.class)
                .hasMessageContaining("crypt_method 1").hasMessageContaining("AES");
    }

    /** Writes a feature-name table extension at 112, then the end marker: pairs of {type, bit} and a name. */
    private static void featureNameTable(ImagePatcher p, int[] first, String firstName, int[] second,
                                         String secondName) {
        p.u32(112, FEATURE_NAMES).u32(116, 96);
        entry(p, 120, first, firstName);
        entry(p, 168, second, secondName);
        p.u64(216, 0);
    }

    private static void entry(ImagePatcher p, long at, int[] typeAndBit, String name) {
        byte[] field = new byte[46];
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, field, 0, bytes.length);
        p.u8(at, typeAndBit[0]).u8(at + 1, typeAndBit[1]).bytes(at + 2, field);
    }
}
