package io.qcow4j.qcow2;

import static io.qcow4j.qcow2.DecompressorDeflateTest.deflate;
import static io.qcow4j.qcow2.DecompressorDeflateTest.realistic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import com.github.luben.zstd.Zstd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.nativeaccess.DeflateBackend;
import io.qcow4j.testing.Bytes;
import io.qcow4j.testing.ImageContent;
import io.qcow4j.testing.Qemu;

/**
 * Compressed images read through {@link Images#open} with each deflate backend (forced with the
 * {@value DeflateBackend#PROPERTY} property) against {@code qemu-img convert -O raw}; and images whose compressed
 * cluster was replaced by hand, where we must fail exactly when qemu-img fails.
 */
class DecompressorImageTest {

    private static final int CLUSTER = 64 * 1024;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
    }

    @AfterEach
    void automaticBackend() {
        System.clearProperty(DeflateBackend.PROPERTY);
    }

    static Stream<Arguments> backendsAndClusterSizes() {
        List<Arguments> cases = new ArrayList<>();
        for (String backend : List.of(DeflateBackend.JDK, DeflateBackend.LIBDEFLATE)) {
            for (int cluster : List.of(512, 4096, 65536, 2 * 1024 * 1024)) {
                cases.add(Arguments.of(backend, cluster));
            }
        }
        return cases.stream();
    }

    static Stream<String> backends() {
        return Stream.of(DeflateBackend.JDK, DeflateBackend.LIBDEFLATE);
    }

    @ParameterizedTest(name = "{0}, cluster {1}")
    @MethodSource("backendsAndClusterSizes")
    void readsDeflateImagesLikeQemu(String backend, int clusterSize) throws Exception {
        use(backend);
        Path content = ImageContent.writeRaw(dir.resolve("content.raw"), 2L * 1024 * 1024 + 512, clusterSize);
        Path image = Qemu.toQcow2(content, dir.resolve("image.qcow2"),
                List.of("-c", "-o", "cluster_size=" + clusterSize));
        assertReadsLikeQemu(image);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void mixesWholeClusterAndPartialReadsOfCompressedClusters(String backend) throws Exception {
        // whole clusters into direct buffers are decompressed in place, the rest through the per-thread cache:
        // neither may serve the other's cluster
        use(backend);
        Path content = dir.resolve("content.raw");
        Files.write(content, realistic(8 * CLUSTER, 36));
        Path image = Qemu.toQcow2(content, dir.resolve("image.qcow2"), List.of("-c"));
        byte[] expected = Files.readAllBytes(Qemu.toRaw(image, dir.resolve("reference.raw")));
        int[][] reads = {{0, CLUSTER}, {100, 1000}, {CLUSTER, CLUSTER}, {200, 50}, {CLUSTER + 7, 9},
            {2 * CLUSTER, CLUSTER}, {2 * CLUSTER + 5, 100}, {0, CLUSTER}, {CLUSTER - 10, CLUSTER}, {3 * CLUSTER, 1},
            {3 * CLUSTER, CLUSTER}, {0, 8 * CLUSTER}};
        try (Image opened = Images.open(image)) {
            for (int[] read : reads) {
                for (boolean direct : new boolean[] {true, false}) {
                    ByteBuffer dst = direct ? ByteBuffer.allocateDirect(read[1]) : ByteBuffer.allocate(read[1]);
                    assertThat(opened.read(dst, read[0])).isEqualTo(read[1]);
                    byte[] got = new byte[read[1]];
                    dst.flip().get(got);
                    assertThat(got).as("%d bytes at %d, direct %s", read[1], read[0], direct)
                            .isEqualTo(Arrays.copyOfRange(expected, read[0], read[0] + read[1]));
                }
            }
        }
    }

    /**
     * The images of a chain share each thread's decompression buffers: reads that alternate between a base of 2 MiB
     * clusters and an overlay of 4 KiB ones, the buffers grown for the one and reused by the other, and the last
     * cluster each decompressed in them, must never give one image's cluster for the other's.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void imagesOfOneChainSharingBuffersNeverServeEachOthersClusters(String backend) throws Exception {
        use(backend);
        int big = 2 << 20;
        Path content = dir.resolve("content.raw");
        Files.write(content, realistic(2 * big, 37));
        Path base = Qemu.toQcow2(content, dir.resolve("base.qcow2"), List.of("-c", "-o", "cluster_size=2M"));
        Path overlay = Qemu.createQcow2(dir.resolve("overlay.qcow2"), "4M", "cluster_size=4k",
                "backing_file=base.qcow2", "backing_fmt=qcow2");
        // compressed 4 KiB clusters over the start of each of the base's clusters; the rest reads through
        Qemu.io(overlay, "qcow2", "write -c -P 0x11 0 4k", "write -c -P 0x22 2M 4k");
        byte[] expected = Files.readAllBytes(Qemu.toRaw(overlay, dir.resolve("reference.raw")));
        // overlay cluster 0 (host entry E), base cluster 0, overlay again, base cluster 1, overlay cluster at 2M...
        long[][] reads = {{0, 100}, {4096, 100}, {10, 100}, {big + 4096, 5000}, {big, 4096}, {8192, 4096},
            {big + 100, 100}, {0, 4096}, {0, 4 << 20}};
        try (Image opened = Images.open(overlay)) {
            for (long[] read : reads) {
                ByteBuffer dst = ByteBuffer.allocate((int) read[1]);
                opened.readFully(dst, read[0]);
                assertThat(dst.array()).as("%d bytes at %d", read[1], read[0])
                        .isEqualTo(Arrays.copyOfRange(expected, (int) read[0], (int) (read[0] + read[1])));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void failsLikeQemuOnGarbageInACompressedCluster(String backend) throws Exception {
        use(backend);
        CompressedCluster cluster = oneCompressedCluster("zlib");
        byte[] garbage = new byte[3000];
        Arrays.fill(garbage, (byte) 0xff);
        cluster.replace(garbage);
        assertFailsLikeQemu(cluster.image, "does not inflate");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void failsLikeQemuOnATruncatedStream(String backend) throws Exception {
        use(backend);
        CompressedCluster cluster = oneCompressedCluster("zlib");
        byte[] stream = deflate(realistic(CLUSTER, 31), 6);
        cluster.replace(Arrays.copyOf(stream, stream.length / 2));
        assertFailsLikeQemu(cluster.image, "short of the 65536-byte cluster");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void readsLikeQemuWithGarbageAfterTheStream(String backend) throws Exception {
        use(backend);
        CompressedCluster cluster = oneCompressedCluster("zlib");
        byte[] stream = deflate(realistic(CLUSTER, 32), 6);
        byte[] withGarbage = Arrays.copyOf(stream, stream.length + 1500);
        Arrays.fill(withGarbage, stream.length, withGarbage.length, (byte) 0xff);
        cluster.replace(withGarbage);
        assertReadsLikeQemu(cluster.image);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void readsLikeQemuAStreamLongerThanTheCluster(String backend) throws Exception {
        use(backend);
        CompressedCluster cluster = oneCompressedCluster("zlib");
        cluster.replace(deflate(realistic(CLUSTER + 20_000, 33), 6));
        assertReadsLikeQemu(cluster.image);
    }

    @Test
    void readsLikeQemuTwoZstdFramesInOneCluster() throws Exception {
        CompressedCluster cluster = oneCompressedCluster("zstd");
        byte[] content = realistic(CLUSTER, 34);
        byte[] first = Zstd.compress(Arrays.copyOf(content, 10_000), 3);
        byte[] second = Zstd.compress(Arrays.copyOfRange(content, 10_000, CLUSTER), 3);
        byte[] both = Arrays.copyOf(first, first.length + second.length + 300);
        System.arraycopy(second, 0, both, first.length, second.length);
        cluster.replace(both);
        byte[] expected = assertReadsLikeQemu(cluster.image);
        assertThat(Arrays.copyOf(expected, CLUSTER)).isEqualTo(content);
    }

    @Test
    void failsLikeQemuOnAZstdFrameLongerThanTheCluster() throws Exception {
        CompressedCluster cluster = oneCompressedCluster("zstd");
        cluster.replace(Zstd.compress(realistic(CLUSTER + 512, 35), 3));
        assertFailsLikeQemu(cluster.image, "zstd frame goes on past the end of the 65536-byte cluster");
    }

    private static void use(String backend) {
        if (backend.equals(DeflateBackend.LIBDEFLATE)) {
            DecompressorDeflateTest.requireLibdeflate();
        }
        System.setProperty(DeflateBackend.PROPERTY, backend);
        assertThat(DeflateBackend.name()).isEqualTo(backend);
    }

    private byte[] assertReadsLikeQemu(Path image) throws IOException {
        byte[] expected = Files.readAllBytes(Qemu.toRaw(image, dir.resolve("reference.raw")));
        try (Image opened = Images.open(image)) {
            assertThat(opened.size()).isEqualTo(expected.length);
            Bytes.assertReadsAs(opened, expected);
        }
        return expected;
    }

    private void assertFailsLikeQemu(Path image, String message) throws IOException {
        assertThatThrownBy(() -> Qemu.toRaw(image, dir.resolve("reference.raw")))
                .as("qemu-img convert of %s", image).isInstanceOf(IllegalStateException.class);
        try (Image opened = Images.open(image)) {
            assertThatThrownBy(() -> opened.read(ByteBuffer.allocateDirect(CLUSTER), 0))
                    .isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining(message)
                    .hasMessageContaining("compressed cluster at host offset");
        }
    }

    /** An image of one compressed cluster at guest offset 0, written by qemu-img, whose data the test replaces. */
    private CompressedCluster oneCompressedCluster(String compression) throws IOException {
        Path content = dir.resolve("one.raw");
        Files.write(content, realistic(CLUSTER, 30));
        Path image = Qemu.toQcow2(content, dir.resolve("one.qcow2"),
                List.of("-c", "-o", "cluster_size=" + CLUSTER + ",compression_type=" + compression));
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ)) {
            long l1 = readLong(file, 40);
            long l2 = readLong(file, l1) & ClusterMap.HOST_OFFSET_MASK;
            long entry = readLong(file, l2);
            assertThat(entry & ClusterMap.COMPRESSED_FLAG).as("L2 entry %#x", entry).isNotZero();
            return new CompressedCluster(image, l2, entry);
        }
    }

    /** The L2 entry at {@code l2EntryOffset} of {@code image} and the compressed cluster it points at. */
    private record CompressedCluster(Path image, long l2EntryOffset, long entry) {

        private static final int SHIFT = 62 - (16 - 8);

        /** Writes {@code data} where the cluster's data starts and makes the entry's sector count cover it. */
        void replace(byte[] data) throws IOException {
            long host = entry & ((1L << SHIFT) - 1);
            long sectors = ((host & 511) + data.length + 511) / 512;
            assertThat(sectors).isBetween(1L, 256L);
            long newEntry = ClusterMap.COMPRESSED_FLAG | ((sectors - 1) << SHIFT) | host;
            try (FileChannel file = FileChannel.open(image, StandardOpenOption.WRITE)) {
                file.write(ByteBuffer.wrap(data), host);
                file.write(ByteBuffer.allocate(8).putLong(0, newEntry), l2EntryOffset);
            }
        }
    }

    private static long readLong(FileChannel file, long at) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8);
        file.read(buffer, at);
        return buffer.getLong(0);
    }
}
