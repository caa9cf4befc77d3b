package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.Qemu;

class MetadataPreallocationTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
    }

    /** Every refcount width: the third and the last of ten refcounts set, to 1 (the lowest bit of the field). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8, 16, 32, 64})
    void countsNonZeroRefcountsOfEveryWidth(int bits) {
        ByteBuffer block = ByteBuffer.allocate(128);
        for (int entry : new int[] {2, 9}) {
            if (bits >= 8) {
                block.put((entry + 1) * bits / 8 - 1, (byte) 1);
            } else {
                int bit = entry * bits;
                block.put(bit / 8, (byte) (block.get(bit / 8) | 1 << (bit % 8)));
            }
        }
        assertThat(MetadataPreallocation.nonZero(block, bits, 10)).isEqualTo(2);
        assertThat(MetadataPreallocation.nonZero(block, bits, 9)).isEqualTo(1);
        assertThat(MetadataPreallocation.nonZero(block, bits, 2)).isZero();
    }

    /**
     * A data cluster cut by the end of a truncated file (QEMU then finds more clusters in use than the file holds,
     * and asks the file): its bytes past the end read as zeros, and map says so for them, as qemu-img map does.
     */
    @Test
    void theTailOfADataClusterPastTheEndOfATruncatedFileMapsAsZeroData() throws IOException {
        Path image = Qemu.createQcow2(dir.resolve("truncated.qcow2"), "1M");
        Qemu.io(image, "qcow2", "write -P 0x10 0 1M");
        long cut = Files.size(image) - 40000;
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.WRITE)) {
            file.truncate(cut);
        }
        String qemuMap = Qemu.run("qemu-img", "map", "--output=json", image.toString());
        assertThat(qemuMap).contains("{ \"start\": 1008576, \"length\": 40000, \"depth\": 0, \"present\": true,"
                + " \"zero\": true, \"data\": true");
        byte[] expected = Files.readAllBytes(Qemu.toRaw(image, dir.resolve("expected.raw")));
        try (Image opened = Images.open(image)) {
            List<BlockStatus> map = opened.map(0, opened.size());
            assertThat(map).extracting(BlockStatus::allocation).containsExactly(Allocation.DATA,
                    Allocation.DATA_IN_HOLE);
            assertThat(map.get(1).offset()).isEqualTo(1008576);
            assertThat(map.get(1).length()).isEqualTo(40000);
            assertThat(map.get(1).hostOffset()).isEqualTo(cut);
            ByteBuffer all = ByteBuffer.allocate(1 << 20);
            opened.readFully(all, 0);
            assertThat(all.array()).isEqualTo(expected);
        }
    }

    @Test
    void dataClustersInHolesOfAPreallocatedImageReadAsZeroWithoutBeingData() throws IOException {
        Path image = Qemu.createQcow2(dir.resolve("preallocated.qcow2"), "16M", "preallocation=metadata");
        Qemu.io(image, "qcow2", "write -P 0x5b 1M 4k");
        byte[] expected = Files.readAllBytes(Qemu.toRaw(image, dir.resolve("expected.raw")));
        try (Image opened = Images.open(image)) {
            List<BlockStatus> map = opened.map(0, opened.size());
            assertThat(map).extracting(BlockStatus::allocation).containsExactly(Allocation.DATA_IN_HOLE,
                    Allocation.DATA, Allocation.DATA_IN_HOLE);
            assertThat(map.get(1).offset()).isEqualTo(1 << 20);
            assertThat(map.get(1).length()).isEqualTo(4096);
            assertThat(map.get(0).readsAsZero()).isTrue();
            ByteBuffer all = ByteBuffer.allocate((int) opened.size());
            opened.readFully(all, 0);
            assertThat(all.array()).isEqualTo(expected);
        }
    }
}
