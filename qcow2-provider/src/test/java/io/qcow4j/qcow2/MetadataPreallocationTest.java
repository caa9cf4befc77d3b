package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.spi.Allocation;
import io.qcow4j.spi.BlockStatus;
import io.qcow4j.spi.Image;
import io.qcow4j.spi.Images;
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
