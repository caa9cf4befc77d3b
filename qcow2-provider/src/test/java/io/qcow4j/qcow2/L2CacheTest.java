package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.internal.HostFile;

class L2CacheTest {

    private static final int CLUSTER_BITS = 12;
    private static final Geometry GEOMETRY = new Geometry(CLUSTER_BITS, CLUSTER_BITS - 3, false, CLUSTER_BITS,
            true, false);
    private static final long COPIED = 1L << 63;

    @TempDir
    Path dir;

    /** A file of four clusters: L2 tables at 4 KiB and 8 KiB whose first entries are 0x11000 and 0x22000. */
    private HostFile file() throws IOException {
        ByteBuffer content = ByteBuffer.allocate(4 << CLUSTER_BITS);
        content.putLong(1 << CLUSTER_BITS, COPIED | 0x11000).putLong(2 << CLUSTER_BITS, COPIED | 0x22000);
        Path path = Files.write(dir.resolve("tables"), content.array());
        return HostFile.open(path);
    }

    @Test
    void l1EntriesThatShareATableReadItOnce() throws IOException {
        // a hostile image can point every L1 entry at one table: decoding it per entry would read the table
        // (a cluster) for every L1 entry of a disk that maps petabytes
        long[] l1 = new long[10_000];
        Arrays.fill(l1, COPIED | (1 << CLUSTER_BITS));
        try (HostFile file = file()) {
            L2Cache cache = new L2Cache(file, GEOMETRY, l1, 4L << CLUSTER_BITS);
            for (int i = 0; i < l1.length; i++) {
                assertThat(cache.table(i)[0]).isEqualTo(COPIED | 0x11000);
            }
            // one read per cache slot at most
            assertThat(cache.loads()).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void aSlotHoldsOneTableAtATime() throws IOException {
        long[] l1 = {COPIED | (1 << CLUSTER_BITS), COPIED | (2 << CLUSTER_BITS)};
        try (HostFile file = file()) {
            L2Cache cache = new L2Cache(file, GEOMETRY, l1, 1 << CLUSTER_BITS);
            assertThat(cache.table(0)[0]).isEqualTo(COPIED | 0x11000);
            assertThat(cache.table(1)[0]).isEqualTo(COPIED | 0x22000);
            assertThat(cache.table(0)[0]).isEqualTo(COPIED | 0x11000);
            assertThat(cache.loads()).isEqualTo(3);
        }
    }

    @Test
    void pastTheL1TableNothingIsMapped() throws IOException {
        // a snapshot's L1 table ends where its disk ended; the image may have grown since
        try (HostFile file = file()) {
            L2Cache cache = new L2Cache(file, GEOMETRY, new long[] {COPIED | (1 << CLUSTER_BITS)}, 1 << 20);
            assertThat(cache.table(1)).isNull();
            assertThat(cache.table(1_000_000)).isNull();
            assertThat(new L2Cache(file, GEOMETRY, new long[0], 1 << 20).table(0)).isNull();
            assertThat(cache.loads()).isZero();
        }
    }
}
