package io.qcow4j.qcow2.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.Allocation;
import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.testing.ImageExerciser;
import io.qcow4j.testing.Qemu;

/**
 * Damaged mapping entries, found when a read reaches them: L2 tables and data clusters misplaced or past the end of
 * the file, compressed clusters whose size field lies, a zero flag in a version 2 image, and invalid subcluster
 * bitmaps. Each read fails with a {@link CorruptImageException} that names the offset, or reads what QEMU reads.
 */
class HostileMappingTest {

    private static final long COPIED = 1L << 63;
    private static final long COMPRESSED = 1L << 62;

    @TempDir
    static Path fixtures;
    @TempDir
    Path dir;

    private static Path plain4k;
    private static Path v2;
    private static Path deflate;
    private static Path zstd;
    private static Path extended;

    @BeforeAll
    static void images() {
        Qemu.require("qemu-img");
        plain4k = Fixtures.plain(fixtures, "plain4k.qcow2", "1.1", 4096);
        v2 = Fixtures.plain(fixtures, "v2.qcow2", "0.10", 512);
        deflate = Fixtures.compressed(fixtures, "deflate.qcow2", "1.1", 4096, "zlib");
        zstd = Fixtures.compressed(fixtures, "zstd.qcow2", "1.1", 4096, "zstd");
        extended = Fixtures.extendedL2(fixtures, "extended.qcow2");
    }

    private ImagePatcher copyOf(Path image) {
        return ImagePatcher.copy(image, dir.resolve("damaged.qcow2"));
    }

    /** Reads 512 bytes at {@code guestOffset} in safe mode and returns the exception that must throw. */
    private static IOException readFails(Path image, long guestOffset) {
        IOException e = Outcome.of(() -> {
            try (Image opened = Images.open(image, Outcome.SAFE)) {
                opened.readFully(ByteBuffer.allocate(512), guestOffset);
            }
        }, image + " at " + guestOffset);
        assertThat(e).as("reading 512 bytes at %d of %s", guestOffset, image).isNotNull();
        // and the whole-image walk stops on it too
        assertThat(Outcome.failure(image)).hasMessage(e.getMessage());
        return e;
    }

    // ---- L2 tables, as the L1 table points at them

    @Test
    void anUnalignedL2Table() {
        ImagePatcher p = copyOf(plain4k);
        long entry = p.get(p.l1EntryOffset(0), 8);
        p.u64(p.l1EntryOffset(0), entry + 512);
        long l2 = (entry + 512) & 0x00fffffffffffe00L;
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining(String.format("L2 table offset %#x unaligned", l2))
                .hasMessageContaining("L1 index 0x0");
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 40, 0x00fffffffffff000L})
    void anL2TablePastTheEndOfTheFile(long l2) {
        ImagePatcher p = copyOf(plain4k);
        p.u64(p.l1EntryOffset(0), COPIED | l2);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("L2 table for L1 index 0 at offset " + l2).hasMessageContaining("passes the end");
    }

    @Test
    void anL2TableCutByTheEndOfTheFile() {
        ImagePatcher p = copyOf(plain4k);
        long fileEnd = (p.size() + 4095) & ~4095L;
        p.truncate(fileEnd + 2048).u64(p.l1EntryOffset(0), COPIED | fileEnd);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("L2 table for L1 index 0 at offset " + fileEnd + " (4096 bytes) passes the end");
    }

    @Test
    void anL2TableThatIsTheL1TableReadsAsQemuReadsIt() throws IOException {
        // legal in form: the L1 entries become "data cluster" entries, so the disk reads the tables' bytes
        ImagePatcher p = copyOf(v2);
        long l1 = p.get(HeaderField.L1_TABLE_OFFSET);
        p.u64(p.l1EntryOffset(0), COPIED | l1);
        assertSameAsQemu(p.path());
    }

    // ---- data clusters

    @ParameterizedTest
    @ValueSource(longs = {512, 1024, 2048 + 512})
    void anUnalignedDataCluster(long delta) {
        ImagePatcher p = copyOf(plain4k);
        long host = p.dataCluster(Fixtures.DATA_AT) + delta;
        p.l2Entry(Fixtures.DATA_AT, COPIED | host);
        assertThat(readFails(p.path(), Fixtures.DATA_AT)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining(String.format("cluster allocation offset %#x unaligned", host));
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 40, 0x00fffffffffff000L})
    void aDataClusterPastTheEndOfTheFile(long host) {
        ImagePatcher p = copyOf(plain4k);
        p.l2Entry(Fixtures.DATA_AT, COPIED | host);
        assertThat(readFails(p.path(), Fixtures.DATA_AT)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining(String.format("host offset %#x, past the end of the %d-byte file", host,
                        p.size()));
    }

    @Test
    void aDataClusterCutByTheEndOfTheFileReadsZerosPastIt() throws IOException {
        // QEMU reads the missing part of a cluster as zeros: so do we
        ImagePatcher p = copyOf(plain4k);
        long host = p.dataCluster(Fixtures.DATA_AT);
        long fileEnd = (p.size() + 4095) & ~4095L;
        p.truncate(fileEnd + 1000).bytes(fileEnd, "moved here".getBytes(StandardCharsets.US_ASCII));
        p.l2Entry(Fixtures.DATA_AT, COPIED | fileEnd);
        assertThat(host).isNotEqualTo(fileEnd);
        assertSameAsQemu(p.path());
    }

    @Test
    void aZeroFlagInAVersion2Image() {
        ImagePatcher p = copyOf(v2);
        long entry = p.l2Entry(Fixtures.DATA_AT);
        p.l2Entry(Fixtures.DATA_AT, entry | 1);
        assertThat(readFails(p.path(), Fixtures.DATA_AT)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("zero cluster entry found in a version 2 image")
                .hasMessageContaining(String.format("entry %#x", entry | 1));
    }

    @Test
    void aZeroFlagWithAHostOffsetInAVersion3ImageReadsZeros() throws IOException {
        ImagePatcher p = copyOf(plain4k);
        p.l2Entry(Fixtures.DATA_AT, p.l2Entry(Fixtures.DATA_AT) | 1);
        assertSameAsQemu(p.path());
        try (Image image = Images.open(p.path(), Outcome.SAFE)) {
            assertThat(image.blockStatus(0, 4096).allocation()).isEqualTo(Allocation.ZERO);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {512, 2048 + 512})
    void aZeroFlagWithAnUnalignedHostOffset(long delta) {
        // the cluster would read as zeros whatever the offset, but QEMU refuses the entry: so do we
        ImagePatcher p = copyOf(plain4k);
        long host = p.dataCluster(Fixtures.DATA_AT) + delta;
        p.l2Entry(Fixtures.DATA_AT, COPIED | host | 1);
        assertThat(readFails(p.path(), Fixtures.DATA_AT)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining(String.format("cluster allocation offset %#x unaligned", host));
    }

    @Test
    void anExternalDataClusterAwayFromItsGuestOffset() throws IOException {
        // QEMU lays an external data file out as the raw disk, and refuses an entry that points elsewhere
        Path image = externalDataImage();
        ImagePatcher p = ImagePatcher.of(image);
        assertThat(p.l2Entry(4096) & 0x00fffffffffffe00L).isEqualTo(4096);
        try (Image opened = Images.open(image)) {
            opened.readFully(ByteBuffer.allocate(8192), 0);
        }
        p.l2Entry(4096, COPIED | 0x3000);
        Qemu.runForFailure("qemu-img", "convert", "-O", "raw", image.toString(), dir.resolve("q.raw").toString());
        try (Image opened = Images.open(image)) {
            assertThat(Outcome.of(() -> opened.readFully(ByteBuffer.allocate(512), 4096), "read"))
                    .isExactlyInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("host cluster offset 0x3000 does not match guest cluster offset 0x1000");
        }
    }

    @Test
    void aZeroEntryAtOffsetZeroInAnExternalDataFileImageReadsZerosWhateverItsCopiedFlag() throws IOException {
        // offset 0 with the copied flag is the data file's first cluster in a data entry, but in a zero entry it is
        // no cluster at all: QEMU reads zeros, not a cluster misplaced from guest offset 0x1000
        Path image = externalDataImage();
        ImagePatcher.of(image).l2Entry(4096, COPIED | 1);
        byte[] qemu = Files.readAllBytes(Qemu.toRaw(image, dir.resolve("q.raw")));
        try (Image opened = Images.open(image)) {
            byte[] ours = ImageExerciser.readAll(opened);
            assertThat(ours).isEqualTo(qemu);
            assertThat(Arrays.copyOfRange(ours, 4096, 8192)).isEqualTo(new byte[4096]);
            assertThat(ours[0]).isEqualTo((byte) 0x31);
            assertThat(opened.blockStatus(4096, 4096).allocation()).isEqualTo(Allocation.ZERO);
        }
    }

    /** 4 KiB clusters in an external data file, the first two written with 0x31. */
    private Path externalDataImage() {
        Path image = Qemu.createQcow2(dir.resolve("external.qcow2"), "1M", "cluster_size=4096",
                "data_file=" + dir.resolve("external.data"));
        Qemu.io(image, "qcow2", "write -P 0x31 0 8k");
        return image;
    }

    // ---- compressed clusters

    private static long compressedEntry(ImagePatcher p, long guestOffset) {
        long entry = p.l2Entry(guestOffset);
        assertThat(entry & COMPRESSED).as("the cluster at %d is compressed", guestOffset).isNotZero();
        return entry;
    }

    /** 4 KiB clusters: the size field is bits 58..61 (sectors - 1), the host offset bits 0..57. */
    private static final int SHIFT_4K = 62 - (12 - 8);

    @ParameterizedTest
    @ValueSource(strings = {"deflate", "zstd"})
    void aCompressedSizeFieldTooLargeStillReadsTheCluster(String type) throws IOException {
        ImagePatcher p = copyOf(type.equals("zstd") ? zstd : deflate);
        for (long at : new long[] {Fixtures.DATA_AT, Fixtures.HEX_AT}) {
            long entry = compressedEntry(p, at);
            p.l2Entry(at, entry | (0xfL << SHIFT_4K));
        }
        try (Image image = Images.open(p.path(), Outcome.SAFE)) {
            Bytes.assertSame(ImageExerciser.readAll(image), Fixtures.expected(type.equals("zstd") ? zstd : deflate),
                    type + " with every size field at its maximum");
        }
        assertSameAsQemu(p.path());
    }

    @ParameterizedTest
    @ValueSource(strings = {"deflate", "zstd"})
    void aCompressedSizeFieldTooSmall(String type) {
        ImagePatcher p = copyOf(type.equals("zstd") ? zstd : deflate);
        long entry = compressedEntry(p, Fixtures.HEX_AT);
        long host = entry & ((1L << SHIFT_4K) - 1);
        long sectors = ((entry >>> SHIFT_4K) & 0xf) + 1;
        assertThat(sectors).as("the hexadecimal cluster compresses to more than a sector").isGreaterThan(2);
        p.l2Entry(Fixtures.HEX_AT, entry & ~(0xfL << SHIFT_4K));
        assertThat(readFails(p.path(), Fixtures.HEX_AT)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining(String.format("compressed cluster at host offset %#x", host));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deflate:header", "deflate:l1", "deflate:refcount", "zstd:header", "zstd:l1",
            "zstd:refcount"})
    void aCompressedClusterPointingAtMetadata(String typeAndTarget) {
        String[] parts = typeAndTarget.split(":");
        ImagePatcher p = copyOf(parts[0].equals("zstd") ? zstd : deflate);
        long target = switch (parts[1]) {
            case "header" -> 0;
            case "l1" -> p.get(HeaderField.L1_TABLE_OFFSET);
            default -> p.get(HeaderField.REFCOUNT_TABLE_OFFSET);
        };
        long entry = compressedEntry(p, Fixtures.DATA_AT);
        p.l2Entry(Fixtures.DATA_AT, COPIED | COMPRESSED | (entry & (0xfL << SHIFT_4K)) | target);
        assertThat(readFails(p.path(), Fixtures.DATA_AT)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining(String.format("compressed cluster at host offset %#x", target));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deflate", "zstd"})
    void aCompressedClusterPastTheEndOfTheFile(String type) {
        ImagePatcher p = copyOf(type.equals("zstd") ? zstd : deflate);
        long host = (1L << 40) + 77;
        p.l2Entry(Fixtures.DATA_AT, COPIED | COMPRESSED | host);
        assertThat(readFails(p.path(), Fixtures.DATA_AT)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining(String.format("compressed cluster at host offset %#x", host))
                .hasMessageContaining("past the end");
    }

    @Test
    void aCompressedClusterCutByTheEndOfTheFile() throws IOException {
        // QEMU reads what the file holds: a cut stream fails to decompress, in both readers
        ImagePatcher p = copyOf(deflate);
        long entry = compressedEntry(p, Fixtures.HEX_AT);
        long host = entry & ((1L << SHIFT_4K) - 1);
        p.truncate(host + 300);
        assertThat(Outcome.failure(p.path())).isInstanceOf(IOException.class);
    }

    @Test
    void aCompressedClusterWithAnExternalDataFile() throws IOException {
        ImagePatcher p = copyOf(deflate);
        Files.write(dir.resolve("data.raw"), new byte[(int) Fixtures.SIZE]);
        byte[] name = "data.raw".getBytes(StandardCharsets.US_ASCII);
        p.set(HeaderField.INCOMPATIBLE_FEATURES, 1L << 2).u32(112, 0x44415441).u32(116, name.length)
                .bytes(120, name).u64(128, 0);
        assertThat(Outcome.failure(p.path(), OpenOptions.defaults())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("compressed cluster").hasMessageContaining("external data file");
    }

    // ---- extended L2 subcluster bitmaps

    @Test
    void theExtendedL2FixtureReadsLikeQemu() throws IOException {
        ImagePatcher p = ImagePatcher.of(extended);
        assertThat(p.extendedL2()).isTrue();
        assertThat(p.l2Bitmap(0)).isNotZero();
        assertThat(p.l2Bitmap(Fixtures.COMPRESSED_AT_16K)).isZero();
        compressedEntry(p, Fixtures.COMPRESSED_AT_16K);
        assertSameAsQemu(extended);
    }

    @Test
    void subclustersBothAllocatedAndZero() {
        ImagePatcher p = copyOf(extended);
        long bitmap = p.l2Bitmap(0) | (1L << 32);
        p.l2Bitmap(0, bitmap);
        assertThat(readFails(p.path(), 0)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("both allocated and zero")
                .hasMessageContaining(String.format("bitmap %#x", bitmap));
    }

    @Test
    void allocatedSubclustersInAnUnallocatedCluster() {
        ImagePatcher p = copyOf(extended);
        long unallocated = 48 * 1024;
        assertThat(p.l2Entry(unallocated)).isZero();
        p.l2Bitmap(unallocated, 0x1);
        assertThat(readFails(p.path(), unallocated)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("allocated subclusters in a cluster with no host offset")
                .hasMessageContaining("bitmap 0x1");
    }

    /** The bitmap of a compressed cluster is reserved; QEMU reads the cluster whatever it holds, and so do we. */
    @ParameterizedTest
    @ValueSource(longs = {1, 1L << 32, -1L})
    void aCompressedClusterWithANonZeroBitmapReadsAsQemuReadsIt(long bitmap) throws IOException {
        ImagePatcher p = copyOf(extended);
        p.l2Bitmap(Fixtures.COMPRESSED_AT_16K, bitmap);
        assertSameAsQemu(p.path());
    }

    @Test
    void zeroSubclustersInAnUnallocatedClusterReadAsZeros() throws IOException {
        ImagePatcher p = copyOf(extended);
        p.l2Bitmap(48 * 1024, 0xffff0000_00000000L);
        assertSameAsQemu(p.path());
        try (Image image = Images.open(p.path(), Outcome.SAFE)) {
            assertThat(image.blockStatus(48 * 1024 + 8192, 16384).allocation()).isEqualTo(Allocation.ZERO);
        }
    }

    /** Our reader and qemu-img read the same bytes from the (damaged but readable) image. */
    private void assertSameAsQemu(Path image) throws IOException {
        byte[] expected = Files.readAllBytes(Qemu.toRaw(image, dir.resolve("qemu.raw")));
        assertThat(Outcome.of(image)).isNull();
        try (Image opened = Images.open(image, Outcome.SAFE)) {
            Bytes.assertSame(ImageExerciser.readAll(opened), expected, image.toString());
        }
    }
}
