package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.spi.HostFile;

class L2CacheTest {

    private static final long COPIED = 1L << 63;

    @TempDir
    Path dir;

    private static Geometry geometry(int clusterBits) {
        return new Geometry(clusterBits, clusterBits - 3, false, clusterBits, true, false);
    }

    /** {@code clusters} clusters of {@code 1 << clusterBits} bytes, with {@code value} at each given offset. */
    private HostFile file(int clusterBits, int clusters, long... offsetsAndValues) throws IOException {
        ByteBuffer content = ByteBuffer.allocate(clusters << clusterBits);
        for (int i = 0; i < offsetsAndValues.length; i += 2) {
            content.putLong((int) offsetsAndValues[i], offsetsAndValues[i + 1]);
        }
        return HostFile.open(Files.write(dir.resolve("tables"), content.array()));
    }

    @Test
    void l1EntriesThatShareATableReadItOnce() throws IOException {
        // a hostile image can point every L1 entry at one table: decoding it per entry would read the table again
        // for every L1 entry of a disk that maps petabytes
        Geometry geometry = geometry(12);
        long[] l1 = new long[10_000];
        Arrays.fill(l1, COPIED | 4096);
        try (HostFile file = file(12, 2, 4096, COPIED | 0x11000)) {
            L2Cache cache = new L2Cache(file, geometry, l1, 4 * 4096);
            for (int i = 0; i < l1.length; i++) {
                assertThat(cache.slice((long) i << geometry.l2Bits())[0]).isEqualTo(COPIED | 0x11000);
            }
            // one read per cache slot at most
            assertThat(cache.loads()).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void aLargeClusterTableIsReadInSlices() throws IOException {
        // 2 MiB clusters: a table holds 262,144 entries, a slice 512; an image of a deep chain holds slices only
        Geometry geometry = geometry(21);
        long table = 2L << 20;
        try (HostFile file = file(21, 2, (int) table, COPIED | (4L << 20), (int) table + 4096 + 8, COPIED | (6L << 20))) {
            L2Cache cache = new L2Cache(file, geometry, new long[] {COPIED | table}, 8L << 20);
            assertThat(cache.sliceClusters()).isEqualTo(512);
            long[] first = cache.slice(0);
            assertThat(first).hasSize(512);
            assertThat(first[0]).isEqualTo(COPIED | (4L << 20));
            assertThat(cache.slice(511)).isSameAs(first);
            long[] second = cache.slice(513);
            assertThat(second[513 % 512]).isEqualTo(COPIED | (6L << 20));
            assertThat(cache.loads()).isEqualTo(2);
        }
    }

    @Test
    void aSlotHoldsOneSliceAtATime() throws IOException {
        Geometry geometry = geometry(12);
        long[] l1 = {COPIED | 4096, COPIED | 8192};
        try (HostFile file = file(12, 3, 4096, COPIED | 0x11000, 8192, COPIED | 0x22000)) {
            L2Cache cache = new L2Cache(file, geometry, l1, 4096);
            long secondTable = 1L << geometry.l2Bits();
            assertThat(cache.slice(0)[0]).isEqualTo(COPIED | 0x11000);
            assertThat(cache.slice(secondTable)[0]).isEqualTo(COPIED | 0x22000);
            assertThat(cache.slice(0)[0]).isEqualTo(COPIED | 0x11000);
            assertThat(cache.loads()).isEqualTo(3);
        }
    }

    @Test
    void pastTheL1TableNothingIsMapped() throws IOException {
        // a snapshot's L1 table ends where its disk ended; the image may have grown since
        Geometry geometry = geometry(12);
        try (HostFile file = file(12, 2, 4096, COPIED | 0x11000)) {
            L2Cache cache = new L2Cache(file, geometry, new long[] {COPIED | 4096}, 1 << 20);
            assertThat(cache.slice(1L << geometry.l2Bits())).isNull();
            assertThat(cache.slice(1L << 40)).isNull();
            assertThat(new L2Cache(file, geometry, new long[0], 1 << 20).slice(0)).isNull();
            assertThat(cache.loads()).isZero();
        }
    }
}
