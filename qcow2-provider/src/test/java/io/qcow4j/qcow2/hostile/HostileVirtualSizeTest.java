package io.qcow4j.qcow2.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.ImageLimitException;
import io.qcow4j.Images;
import io.qcow4j.testing.ImageExerciser;
import io.qcow4j.testing.Qemu;

/**
 * Huge virtual disks: 2^61 bytes is the most a qcow2 image can map (2 MiB clusters, a 32 MiB L1 table; qemu-img
 * creates it and refuses 2^62). Such a disk opens, and reading or mapping it sparsely costs what the reads ask, not
 * what the disk declares.
 */
class HostileVirtualSizeTest {

    private static final long TWO_MIB = 2L << 20;
    private static final long L1_ENTRIES = 1L << 22;

    @TempDir
    static Path fixtures;
    @TempDir
    Path dir;

    private static Path small;

    @BeforeAll
    static void images() {
        Qemu.require("qemu-img");
        small = Qemu.createQcow2(fixtures.resolve("small.qcow2"), "64k", "cluster_size=2M");
        Qemu.io(small, "qcow2", "write -P 0x61 0 4k");
    }

    /**
     * The 64 KiB image made huge: size 2^61, a 4 Mi-entry L1 table in a sparse cluster past the file's end (holes
     * read as unallocated entries) but with the original first entry, so that the first 4 KiB still read 'a'.
     */
    private ImagePatcher huge(long size) {
        ImagePatcher p = ImagePatcher.copy(small, dir.resolve("huge.qcow2"));
        long firstEntry = p.get(p.get(HeaderField.L1_TABLE_OFFSET), 8);
        long l1 = (p.size() + TWO_MIB - 1) & -TWO_MIB;
        p.truncate(l1 + 8 * L1_ENTRIES).u64(l1, firstEntry);
        return p.set(HeaderField.SIZE, size).set(HeaderField.L1_SIZE, L1_ENTRIES)
                .set(HeaderField.L1_TABLE_OFFSET, l1);
    }

    @Test
    void aDiskOfTwoToTheSixtyOneBytesOpensAndReadsSparsely() throws IOException {
        long size = 1L << 61;
        ImagePatcher p = huge(size);
        long before = allocatedBytes();
        try (Image image = Images.open(p.path(), Outcome.SAFE)) {
            assertThat(image.size()).isEqualTo(size);
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            image.readFully(buffer, 0);
            assertThat(buffer.array()).containsOnly((byte) 0x61);
            image.readFully(buffer.clear(), size - 4096);
            assertThat(buffer.array()).containsOnly((byte) 0);
            image.readFully(buffer.clear(), size / 3);
            assertThat(buffer.array()).containsOnly((byte) 0);
            assertThat(image.read(buffer.clear(), size)).isEqualTo(-1);
            // the L1 table (32 MiB as bytes, then 32 MiB as longs) is the only large allocation: nothing per byte
            assertThat(allocatedBytes() - before).isLessThan(80L << 20);

            BlockStatus last = image.blockStatus(size - 1, 1);
            assertThat(last.allocation()).isEqualTo(Allocation.UNALLOCATED);
            // the map of the last 2^50 bytes: one run, found by one lookup per L2 table's span (2048 of them)
            long from = size - (1L << 50);
            List<BlockStatus> map = assertTimeoutPreemptively(Outcome.HANG_GUARD, () -> image.map(from, size - from));
            assertThat(map).singleElement().satisfies(run -> {
                assertThat(run.allocation()).isEqualTo(Allocation.UNALLOCATED);
                assertThat(run.offset()).isEqualTo(from);
                assertThat(run.end()).isEqualTo(size);
            });
        }
    }

    @Test
    void twoToTheSixtyTwoBytesNeedMoreL1EntriesThanTheLimitAllows() {
        ImagePatcher p = huge(1L << 62);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("l1_size " + L1_ENTRIES).hasMessageContaining("virtual size " + (1L << 62));
        p.set(HeaderField.L1_SIZE, 2 * L1_ENTRIES);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("l1_size " + 2 * L1_ENTRIES);
    }

    @Test
    void aVirtualSizeOverTheSignedRange() {
        ImagePatcher p = huge(1L << 61).set(HeaderField.SIZE, -4096);
        assertThat(Outcome.failure(p.path())).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("virtual size " + Long.toUnsignedString(-4096));
    }

    @Test
    void qemuImgAgreesOnTheLimit() throws IOException {
        Path made = dir.resolve("qemu-huge.qcow2");
        Qemu.createQcow2(made, Long.toString(1L << 61), "cluster_size=2M");
        assertThat(ImagePatcher.of(made).get(HeaderField.L1_SIZE)).isEqualTo(L1_ENTRIES);
        try (Image image = Images.open(made, Outcome.SAFE)) {
            assertThat(image.size()).isEqualTo(1L << 61);
            assertThat(image.blockStatus((1L << 61) - 1, 1).allocation()).isEqualTo(Allocation.UNALLOCATED);
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 511, 4096 + 1, 65536 - 1})
    void aSizeThatIsNotWholeSectorsReadsAsQemuReadsIt(long size) throws IOException {
        // QEMU keeps a qcow2 disk's size in 512-byte sectors, rounding the field down: so do we
        ImagePatcher p = ImagePatcher.copy(small, dir.resolve("odd.qcow2")).set(HeaderField.SIZE, size);
        byte[] expected = Files.readAllBytes(Qemu.toRaw(p.path(), dir.resolve("odd.raw")));
        try (Image image = Images.open(p.path())) {
            assertThat(image.size()).isEqualTo(size & ~511L).isEqualTo(expected.length);
            assertThat(image.info().virtualSize()).isEqualTo(expected.length);
            Bytes.assertSame(ImageExerciser.readAll(image), expected, "size field " + size);
        }
    }
}
