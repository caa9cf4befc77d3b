package io.qcow4j.qcow2.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.ImageLimitException;
import io.qcow4j.Images;
import io.qcow4j.NoSuchSnapshotException;
import io.qcow4j.testing.ImageExerciser;
import io.qcow4j.testing.Qemu;

/**
 * Damaged internal snapshot tables (QEMU's CVE-2014-0144 class): too many entries, entries too large, names and
 * tables past the end of the file, and snapshot L1 tables that are misplaced or too large.
 */
class HostileSnapshotTest {

    // offsets in a snapshot table entry
    private static final int L1_OFFSET = 0;
    private static final int L1_SIZE = 8;
    private static final int ID_SIZE = 12;
    private static final int NAME_SIZE = 14;
    private static final int EXTRA_SIZE = 36;
    private static final int DISK_SIZE = 48;

    @TempDir
    static Path fixtures;
    @TempDir
    Path dir;

    private static Path image;

    @BeforeAll
    static void images() {
        Qemu.require("qemu-img");
        image = Fixtures.withSnapshot(fixtures, "snap.qcow2");
    }

    private ImagePatcher damaged() {
        return ImagePatcher.copy(image, dir.resolve("damaged.qcow2"));
    }

    private static long table(ImagePatcher p) {
        return p.get(HeaderField.SNAPSHOTS_OFFSET);
    }

    @Test
    void theSnapshotReadsLikeQemu() throws IOException {
        assertThat(ImagePatcher.of(image).get(HeaderField.NB_SNAPSHOTS)).isEqualTo(1);
        Path raw = dir.resolve("snap1.raw");
        Qemu.run("qemu-img", "convert", "-l", "snapshot.name=snap1", "-O", "raw", image.toString(), raw.toString());
        try (Image snapshot = Images.open(image, Outcome.SAFE.toBuilder().snapshot("snap1").build())) {
            assertThat(ImageExerciser.readAll(snapshot)).isEqualTo(Files.readAllBytes(raw));
        }
        try (Image active = Images.open(image, Outcome.SAFE)) {
            assertThat(ImageExerciser.readAll(active)).isEqualTo(Fixtures.expected(image))
                    .isNotEqualTo(Files.readAllBytes(raw));
        }
        assertThat(Outcome.of(image)).isNull();
    }

    @Test
    void anUnknownSnapshotName() {
        assertThat(Outcome.failure(image, Outcome.SAFE.toBuilder().snapshot("snap2").build()))
                .isExactlyInstanceOf(NoSuchSnapshotException.class).hasMessageContaining("'snap2'");
    }

    @ParameterizedTest
    @ValueSource(longs = {65537, 0x7fffffffL, 0x80000000L, 0xffffffffL})
    void tooManySnapshots(long count) {
        ImagePatcher p = damaged().set(HeaderField.NB_SNAPSHOTS, count);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("nb_snapshots " + count).hasMessageContaining("65536");
    }

    @Test
    void aSnapshotTablePastTheEndOfTheFile() {
        ImagePatcher p = damaged().set(HeaderField.NB_SNAPSHOTS, 65536);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("snapshots_offset " + table(p)).hasMessageContaining("past the end");
    }

    @Test
    void moreEntriesThanTheTableHolds() {
        // the file ends within the second entry, or the second entry is garbage: either way a clean refusal
        ImagePatcher p = damaged();
        p.truncate(table(p) + 0x48).set(HeaderField.NB_SNAPSHOTS, 2);
        assertThat(Outcome.failure(p.path())).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("snapshot");
    }

    @ParameterizedTest
    @ValueSource(longs = {1025, 0x10000, 0x7fffffffL, 0xffffffffL})
    void extraDataTooLarge(long extra) {
        ImagePatcher p = damaged();
        p.u32(table(p) + EXTRA_SIZE, extra);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("extra_data_size " + extra).hasMessageContaining("1024");
    }

    @Test
    void aNamePastTheEndOfTheFile() {
        ImagePatcher p = damaged();
        p.u16(table(p) + NAME_SIZE, 0xffff);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("snapshot table entry 0").hasMessageContaining("passes the end");
    }

    @Test
    void anIdPastTheEndOfTheFile() {
        ImagePatcher p = damaged();
        p.u16(table(p) + ID_SIZE, 0xffff).u32(table(p) + EXTRA_SIZE, 1024);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("snapshot table entry 0").hasMessageContaining("passes the end");
    }

    @Test
    void aTruncatedEntry() {
        ImagePatcher p = damaged();
        p.truncate(table(p) + 20);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("snapshot");
    }

    @ParameterizedTest
    @ValueSource(longs = {8, 0x100, 0x1ff})
    void anUnalignedSnapshotL1Table(long delta) {
        ImagePatcher p = damaged();
        long l1 = p.get(table(p) + L1_OFFSET, 8) + delta;
        p.u64(table(p) + L1_OFFSET, l1);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("snapshot 0 ('snap1'): l1_table_offset " + l1).hasMessageContaining("not aligned");
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 40, 0xfffffffffffffe00L})
    void aSnapshotL1TablePastTheEndOfTheFile(long l1) {
        ImagePatcher p = damaged();
        p.u64(table(p) + L1_OFFSET, l1);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("snapshot 0 ('snap1'): l1_table_offset " + Long.toUnsignedString(l1))
                .hasMessageContaining(l1 < 0 ? "is over " + Long.MAX_VALUE : "past the end");
    }

    /** QEMU checks a snapshot's L1 table only to read the snapshot: the disk itself still reads. */
    @ParameterizedTest
    @ValueSource(longs = {0x100, 1L << 40})
    void aDamagedSnapshotL1TableLeavesTheActiveDiskReadable(long l1) throws IOException {
        ImagePatcher p = damaged();
        p.u64(table(p) + L1_OFFSET, p.get(table(p) + L1_OFFSET, 8) & ~0xffL | l1);
        try (Image active = Images.open(p.path(), Outcome.SAFE)) {
            assertThat(active.info().snapshots()).hasSize(1);
            assertThat(ImageExerciser.readAll(active))
                    .isEqualTo(Files.readAllBytes(Qemu.toRaw(p.path(), dir.resolve("active.raw"))));
        }
        assertThat(Outcome.of(() -> Images.open(p.path(), Outcome.SAFE.toBuilder().snapshot("snap1").build()).close(), "snap1"))
                .isExactlyInstanceOf(CorruptImageException.class).hasMessageContaining("snapshot 0 ('snap1')");
    }

    @ParameterizedTest
    @ValueSource(longs = {0x400001L, 0xffffffffL})
    void aSnapshotL1TableTooLarge(long l1Size) {
        ImagePatcher p = damaged();
        p.u32(table(p) + L1_SIZE, l1Size);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("snapshot 0 ('snap1'): l1_size " + l1Size);
    }

    @Test
    void anEmptySnapshotL1TableReadsAsAnEmptyDisk() throws IOException {
        // QEMU accepts it: every cluster of the snapshot is unallocated
        ImagePatcher p = damaged();
        p.u32(table(p) + L1_SIZE, 0);
        assertSnapshotReadsAsQemu(p.path());
        try (Image snapshot = Images.open(p.path(), Outcome.SAFE.toBuilder().snapshot("snap1").build())) {
            assertThat(ImageExerciser.readAll(snapshot)).containsOnly(0);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 512, 1L << 40, -1L})
    void aSnapshotDiskSizeChangesNothingRead(long diskSize) throws IOException {
        // qemu-img convert -l reads a snapshot at the image's size, whatever size the snapshot records
        ImagePatcher p = damaged();
        p.u64(table(p) + DISK_SIZE, diskSize);
        assertSnapshotReadsAsQemu(p.path());
        try (Image active = Images.open(p.path(), Outcome.SAFE)) {
            assertThat(active.info().snapshots().get(0).diskSize()).isEqualTo(diskSize);
        }
    }

    private void assertSnapshotReadsAsQemu(Path image) throws IOException {
        Path raw = dir.resolve("snap1.raw");
        Qemu.run("qemu-img", "convert", "-l", "snapshot.name=snap1", "-O", "raw", image.toString(), raw.toString());
        try (Image snapshot = Images.open(image, Outcome.SAFE.toBuilder().snapshot("snap1").build())) {
            assertThat(snapshot.size()).isEqualTo(Files.size(raw));
            assertThat(ImageExerciser.readAll(snapshot)).isEqualTo(Files.readAllBytes(raw));
        }
    }
}
