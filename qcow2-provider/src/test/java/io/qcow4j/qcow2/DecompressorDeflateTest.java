package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageException;
import io.qcow4j.nativeaccess.DeflateBackend;
import io.qcow4j.nativeaccess.Libdeflate;
import io.qcow4j.testing.Qemu;

/**
 * Both deflate backends on hand-made raw deflate streams, with QEMU's rule: inflate until the cluster is full, ignore
 * what follows, and call a stream that ends early (or does not decode) corrupt.
 */
class DecompressorDeflateTest {

    private static final int CLUSTER = 64 * 1024;

    /** A named backend; libdeflate is skipped where it does not load, except in CI, where that fails. */
    record Backend(String name, Supplier<ClusterDecompressor> factory) {
        @Override
        public String toString() {
            return name;
        }

        ClusterDecompressor create() {
            if (name.equals(DeflateBackend.LIBDEFLATE)) {
                requireLibdeflate();
            }
            return factory.get();
        }
    }

    static void requireLibdeflate() {
        if (!DeflateBackend.libdeflateAvailable() && Qemu.inCi()) {
            fail("libdeflate.so.0 does not load, and CI=true: .ci/run must install libdeflate0 ("
                    + DeflateBackend.describe() + ")");
        }
        assumeTrue(DeflateBackend.libdeflateAvailable(), "libdeflate.so.0 is not installed (libdeflate0)");
    }

    static Stream<Backend> backends() {
        return Stream.of(new Backend(DeflateBackend.JDK, InflaterDecompressor::new),
                new Backend(DeflateBackend.LIBDEFLATE, () -> new LibdeflateDecompressor(Libdeflate.load())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void inflatesAStreamThatFillsTheClusterExactly(Backend backend) throws Exception {
        byte[] content = realistic(CLUSTER, 1);
        ClusterDecompressor decompressor = backend.create();
        assertThat(inflate(decompressor, deflate(content, 6), CLUSTER)).isEqualTo(content);
        assertNoFallback(decompressor, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void reusesOneDecompressorForManyClusters(Backend backend) throws Exception {
        ClusterDecompressor decompressor = backend.create();
        for (int i = 0; i < 20; i++) {
            byte[] content = i % 3 == 0 ? random(CLUSTER, i) : realistic(CLUSTER, i);
            assertThat(inflate(decompressor, deflate(content, 1 + i % 9), CLUSTER)).as("cluster %d", i)
                    .isEqualTo(content);
        }
        assertNoFallback(decompressor, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void ignoresTrailingGarbageAfterAValidStream(Backend backend) throws Exception {
        byte[] content = realistic(CLUSTER, 2);
        byte[] stream = deflate(content, 6);
        byte[] withGarbage = Arrays.copyOf(stream, stream.length + 700);
        Arrays.fill(withGarbage, stream.length, withGarbage.length, (byte) 0xff);
        ClusterDecompressor decompressor = backend.create();
        assertThat(inflate(decompressor, withGarbage, CLUSTER)).isEqualTo(content);
        assertNoFallback(decompressor, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void acceptsAStreamThatGoesOnPastTheFullCluster(Backend backend) throws Exception {
        // zlib's inflate(Z_FINISH) stops with Z_BUF_ERROR when the cluster is full, and QEMU accepts that
        byte[] content = realistic(3 * CLUSTER, 3);
        ClusterDecompressor decompressor = backend.create();
        assertThat(inflate(decompressor, deflate(content, 6), CLUSTER))
                .isEqualTo(Arrays.copyOf(content, CLUSTER));
        assertNoFallback(decompressor, 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void refusesATruncatedStream(Backend backend) throws Exception {
        byte[] stream = deflate(realistic(CLUSTER, 4), 6);
        ClusterDecompressor decompressor = backend.create();
        assertThatThrownBy(() -> inflate(decompressor, Arrays.copyOf(stream, stream.length / 2), CLUSTER))
                .isInstanceOf(CorruptImageException.class)
                .hasMessageStartingWith("Image is corrupt: compressed cluster inflates to ")
                .hasMessageEndingWith("short of the 65536-byte cluster");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void refusesAStreamThatEndsBeforeTheClusterIsFull(Backend backend) throws Exception {
        byte[] stream = deflate(realistic(CLUSTER - 1, 5), 6);
        ClusterDecompressor decompressor = backend.create();
        assertThatThrownBy(() -> inflate(decompressor, stream, CLUSTER))
                .isInstanceOf(CorruptImageException.class)
                .hasMessage("Image is corrupt: compressed cluster inflates to 65535 bytes, short of the "
                        + "65536-byte cluster");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void refusesGarbage(Backend backend) throws Exception {
        byte[] garbage = new byte[4096];
        Arrays.fill(garbage, (byte) 0xff); // the first block header says block type 3, which does not exist
        ClusterDecompressor decompressor = backend.create();
        assertThatThrownBy(() -> inflate(decompressor, garbage, CLUSTER))
                .isInstanceOf(CorruptImageException.class)
                .hasMessageStartingWith("Image is corrupt: compressed cluster does not inflate: ")
                .hasMessageContaining("invalid block type");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void refusesEmptyInput(Backend backend) {
        ClusterDecompressor decompressor = backend.create();
        assertThatThrownBy(() -> inflate(decompressor, new byte[0], CLUSTER))
                .isInstanceOf(CorruptImageException.class)
                .hasMessage("Image is corrupt: compressed cluster inflates to 0 bytes, short of the "
                        + "65536-byte cluster");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void worksAgainAfterACorruptCluster(Backend backend) throws Exception {
        byte[] content = realistic(CLUSTER, 6);
        byte[] stream = deflate(content, 6);
        ClusterDecompressor decompressor = backend.create();
        assertThatThrownBy(() -> inflate(decompressor, Arrays.copyOf(stream, 100), CLUSTER))
                .isInstanceOf(CorruptImageException.class);
        assertThat(inflate(decompressor, stream, CLUSTER)).isEqualTo(content);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void honoursBufferPositions(Backend backend) throws Exception {
        byte[] content = realistic(4096, 7);
        byte[] stream = deflate(content, 6);
        ByteBuffer src = ByteBuffer.allocateDirect(stream.length + 20);
        src.position(13);
        src.put(stream).limit(src.position() + 5).position(13);
        ByteBuffer dst = ByteBuffer.allocateDirect(4096 + 50);
        dst.position(30).limit(30 + 4096);
        backend.create().decompress(src, dst);
        assertThat(dst.position()).isEqualTo(30 + 4096);
        byte[] got = new byte[4096];
        dst.position(30);
        dst.get(got);
        assertThat(got).isEqualTo(content);
        assertThat(dst.get(0)).isZero();
    }

    @Test
    void libdeflateTakesHeapBuffersThroughZlib() throws Exception {
        requireLibdeflate();
        byte[] content = realistic(CLUSTER, 8);
        LibdeflateDecompressor decompressor = new LibdeflateDecompressor(Libdeflate.load());
        ByteBuffer dst = ByteBuffer.allocate(CLUSTER);
        decompressor.decompress(ByteBuffer.wrap(deflate(content, 6)), dst);
        assertThat(dst.array()).isEqualTo(content);
        assertThat(decompressor.fallbacks()).isEqualTo(1);
    }

    private static void assertNoFallback(ClusterDecompressor decompressor, long expected) {
        if (decompressor instanceof LibdeflateDecompressor libdeflate) {
            assertThat(libdeflate.fallbacks()).as("clusters handed to zlib").isEqualTo(expected);
        }
    }

    static byte[] inflate(ClusterDecompressor decompressor, byte[] stream, int clusterSize)
            throws ImageException {
        ByteBuffer src = ByteBuffer.allocateDirect(Math.max(1, stream.length)).put(stream).flip();
        ByteBuffer dst = ByteBuffer.allocateDirect(clusterSize);
        decompressor.decompress(src, dst);
        assertThat(dst.hasRemaining()).isFalse();
        byte[] out = new byte[clusterSize];
        dst.flip().get(out);
        return out;
    }

    /** Raw deflate (no zlib header), as QEMU writes it. */
    static byte[] deflate(byte[] content, int level) {
        Deflater deflater = new Deflater(level, true);
        deflater.setInput(content);
        deflater.finish();
        byte[] out = new byte[content.length + content.length / 10 + 1024];
        int n = 0;
        while (!deflater.finished()) {
            n += deflater.deflate(out, n, out.length - n);
        }
        deflater.end();
        return Arrays.copyOf(out, n);
    }

    /** Text-like bytes with repeats at varying distances, so the stream uses dynamic Huffman blocks. */
    static byte[] realistic(int length, long seed) {
        Random random = new Random(seed);
        String[] words = {"qcow2 ", "cluster ", "the ", "of ", "image ", "block ", "L2 ", "table ", "\n",
                "refcount ", "snapshot ", "0x7f3a ", "deflate ", "zstd "};
        StringBuilder text = new StringBuilder(length + 16);
        while (text.length() < length) {
            text.append(words[random.nextInt(words.length)]);
            if (random.nextInt(10) == 0) {
                text.append(random.nextLong());
            }
        }
        return Arrays.copyOf(text.toString().getBytes(StandardCharsets.US_ASCII), length);
    }

    static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
