package io.qcow4j.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;

class RawImageTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    /** 4 MiB: a hole, 1 MiB of data at 1 MiB, a hole, data in the last 4 KiB. */
    private Path sparseFile() throws Exception {
        Path file = dir.resolve("disk.img");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] data = new byte[MIB];
            Arrays.fill(data, (byte) 7);
            channel.write(ByteBuffer.wrap(data), MIB);
            channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), 4 * MIB - 4096);
            channel.truncate(4 * MIB);
            channel.write(ByteBuffer.allocate(4096).put(0, (byte) 9), 4 * MIB - 4096);
        }
        return file;
    }

    @Test
    void anythingUnrecognisedOpensAsRaw() throws Exception {
        Path file = Files.write(dir.resolve("random.bin"), new byte[] {1, 2, 3});
        try (Image image = Images.open(file)) {
            assertThat(image.format()).isEqualTo("raw");
            // whole sectors, as QEMU sees the file: the rest of the sector reads as zeros
            assertThat(image.size()).isEqualTo(512);
            ByteBuffer dst = ByteBuffer.allocate(10);
            assertThat(image.read(dst, 1)).isEqualTo(10);
            assertThat(dst.array()).containsExactly(2, 3, 0, 0, 0, 0, 0, 0, 0, 0);
            assertThat(image.read(dst.clear(), 512)).isEqualTo(-1);
        }
    }

    /** Every length around a sector boundary: the disk is the file rounded up to 512 bytes, the tail zero. */
    @ParameterizedTest
    @ValueSource(ints = {1, 511, 512, 513, 1000, 1023, 1024, 4095, 4097})
    void aFileOfAnyLengthIsADiskOfWholeSectors(int length) throws Exception {
        byte[] content = new byte[length];
        Arrays.fill(content, (byte) 0x5a);
        Path file = Files.write(dir.resolve("odd.raw"), content);
        long sectors = (length + 511) / 512 * 512;
        try (Image image = Images.open(file)) {
            assertThat(image.size()).isEqualTo(sectors);
            ByteBuffer all = ByteBuffer.allocate((int) sectors);
            image.readFully(all, 0);
            assertThat(all.array()).isEqualTo(Arrays.copyOf(content, (int) sectors));
            List<BlockStatus> map = image.map(0, image.size());
            assertThat(map.get(0)).isEqualTo(new BlockStatus(0, length, Allocation.DATA, false, 0, 0));
            if (length < sectors) {
                assertThat(map).hasSize(2).last().isEqualTo(
                        new BlockStatus(length, sectors - length, Allocation.ZERO, false, 0, length));
            } else {
                assertThat(map).hasSize(1);
            }
        }
    }

    @Test
    void holesReportAsZeroAndDataAsData() throws Exception {
        try (Image image = Images.open(sparseFile(), OpenOptions.builder().format("raw").build())) {
            List<BlockStatus> map = image.map(0, image.size());
            assertThat(map).containsExactly(
                    new BlockStatus(0, MIB, Allocation.ZERO, false, 0, 0),
                    new BlockStatus(MIB, MIB, Allocation.DATA, false, 0, MIB),
                    new BlockStatus(2 * MIB, 2 * MIB - 4096, Allocation.ZERO, false, 0, 2 * MIB),
                    new BlockStatus(4 * MIB - 4096, 4096, Allocation.DATA, false, 0, 4 * MIB - 4096));
            assertThat(image.blockStatus(MIB + 10, 100)).isEqualTo(
                    new BlockStatus(MIB + 10, 100, Allocation.DATA, false, 0, MIB + 10));
            assertThat(image.info().actualSize()).isBetween((long) MIB, 2L * MIB);
            assertThat(image.info().clusterSize()).isZero();
        }
    }

    @Test
    void readsAreFileChannelLike() throws Exception {
        try (Image image = Images.open(sparseFile())) {
            ByteBuffer dst = ByteBuffer.allocateDirect(8192);
            assertThat(image.read(dst, 4 * MIB - 4096)).isEqualTo(4096);
            assertThat(dst.get(0)).isEqualTo((byte) 9);
            assertThatThrownBy(() -> image.read(ByteBuffer.allocate(1), -1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> image.blockStatus(4 * MIB, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void rawImagesHaveNoSnapshots() throws Exception {
        Path file = sparseFile();
        assertThatThrownBy(() -> Images.open(file, OpenOptions.builder().snapshot("s1").build()))
                .isInstanceOf(io.qcow4j.NoSuchSnapshotException.class)
                .hasMessageContaining("a raw image has no snapshots (asked for 's1')");
    }

    @Test
    void readsAfterCloseFail() throws Exception {
        Image image = Images.open(sparseFile());
        image.close();
        assertThatThrownBy(() -> image.read(ByteBuffer.allocate(1), 0)).isInstanceOf(ClosedChannelException.class);
    }
}
