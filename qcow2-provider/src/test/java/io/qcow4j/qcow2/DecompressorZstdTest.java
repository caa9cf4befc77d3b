package io.qcow4j.qcow2;

import static io.qcow4j.qcow2.DecompressorDeflateTest.inflate;
import static io.qcow4j.qcow2.DecompressorDeflateTest.random;
import static io.qcow4j.qcow2.DecompressorDeflateTest.realistic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import com.github.luben.zstd.Zstd;
import org.junit.jupiter.api.Test;

import io.qcow4j.CorruptImageException;

/**
 * zstd clusters by hand, with QEMU's rule ({@code qcow2_zstd_decompress}): decode frame after frame until the cluster
 * is full, ignore the bytes after that, and refuse data that ends early or a frame that goes on past the cluster.
 */
class DecompressorZstdTest {

    private static final int CLUSTER = 64 * 1024;

    @Test
    void decodesOneFrame() throws Exception {
        byte[] content = realistic(CLUSTER, 11);
        assertThat(inflate(new ZstdDecompressor(), Zstd.compress(content, 5), CLUSTER)).isEqualTo(content);
    }

    @Test
    void decodesTwoFramesThatTogetherFillTheCluster() throws Exception {
        byte[] content = realistic(CLUSTER, 12);
        int split = 20_000;
        byte[] stream = concat(Zstd.compress(Arrays.copyOfRange(content, 0, split), 3),
                Zstd.compress(Arrays.copyOfRange(content, split, CLUSTER), 19));
        assertThat(inflate(new ZstdDecompressor(), stream, CLUSTER)).isEqualTo(content);
    }

    @Test
    void decodesManySmallFramesWithTrailingBytes() throws Exception {
        byte[] content = random(CLUSTER, 13);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int at = 0; at < CLUSTER; at += 4096) {
            stream.writeBytes(Zstd.compress(Arrays.copyOfRange(content, at, at + 4096), 1));
        }
        // the rest of the last sector: zeros or the start of the next cluster's data
        stream.writeBytes(Zstd.compress(realistic(5000, 14), 3));
        ZstdDecompressor decompressor = new ZstdDecompressor();
        assertThat(inflate(decompressor, stream.toByteArray(), CLUSTER)).isEqualTo(content);
        // the context is reset between clusters
        assertThat(inflate(decompressor, Zstd.compress(realistic(CLUSTER, 15), 3), CLUSTER))
                .isEqualTo(realistic(CLUSTER, 15));
    }

    @Test
    void ignoresGarbageAfterTheFullCluster() throws Exception {
        byte[] content = realistic(CLUSTER, 16);
        byte[] frame = Zstd.compress(content, 3);
        byte[] stream = Arrays.copyOf(frame, frame.length + 512);
        Arrays.fill(stream, frame.length, stream.length, (byte) 0xa5);
        assertThat(inflate(new ZstdDecompressor(), stream, CLUSTER)).isEqualTo(content);
    }

    @Test
    void refusesFramesThatEndBeforeTheClusterIsFull() {
        byte[] stream = concat(Zstd.compress(realistic(30_000, 17), 3), Zstd.compress(realistic(30_000, 18), 3));
        assertThatThrownBy(() -> inflate(new ZstdDecompressor(), stream, CLUSTER))
                .isInstanceOf(CorruptImageException.class)
                .hasMessage("Image is corrupt: zstd cluster decodes to 60000 bytes, short of the 65536-byte cluster");
    }

    @Test
    void refusesATruncatedFrame() {
        byte[] frame = Zstd.compress(realistic(CLUSTER, 19), 3);
        assertThatThrownBy(() -> inflate(new ZstdDecompressor(), Arrays.copyOf(frame, frame.length - 10), CLUSTER))
                .isInstanceOf(CorruptImageException.class)
                .hasMessageStartingWith("Image is corrupt: zstd cluster decodes to ");
    }

    @Test
    void refusesGarbageBeforeTheClusterIsFull() {
        byte[] stream = concat(Zstd.compress(realistic(CLUSTER / 2, 20), 3), random(CLUSTER, 21));
        assertThatThrownBy(() -> inflate(new ZstdDecompressor(), stream, CLUSTER))
                .isInstanceOf(CorruptImageException.class)
                .hasMessageStartingWith("Image is corrupt: compressed cluster does not decode as zstd: ");
    }

    @Test
    void refusesAFrameThatGoesOnPastTheFullCluster() {
        // QEMU checks that the last frame was flushed whole: a longer frame means a damaged cluster
        byte[] frame = Zstd.compress(realistic(CLUSTER + 4096, 22), 3);
        assertThatThrownBy(() -> inflate(new ZstdDecompressor(), frame, CLUSTER))
                .isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("zstd frame goes on past the end of the 65536-byte cluster");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
