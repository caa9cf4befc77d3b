package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;

import org.junit.jupiter.api.Test;

import io.qcow4j.Image;
import io.qcow4j.Images;

/** Reading a compressed cluster in small pieces decompresses it once per thread, not once per piece. */
class CompressedReadTest {

    @Test
    void smallReadsOfOneClusterDecompressItOnce() throws Exception {
        Path image = Path.of(getClass().getResource("/fixtures/deflate-4k.qcow2").toURI());
        try (Qcow2Image qcow2 = (Qcow2Image) Images.open(image)) {
            assertThat(qcow2.blockStatus(0, 4096).compressed()).isTrue();
            ByteBuffer piece = ByteBuffer.allocate(512);
            MessageDigest pieces = MessageDigest.getInstance("SHA-256");
            for (int at = 0; at < 4096; at += 512) {
                qcow2.readFully(piece.clear(), at);
                pieces.update(piece.flip());
            }
            assertThat(qcow2.compressedClusters().decompressions()).isEqualTo(1);

            ByteBuffer whole = ByteBuffer.allocate(4096);
            qcow2.readFully(whole, 0);
            assertThat(MessageDigest.getInstance("SHA-256").digest(whole.array())).isEqualTo(pieces.digest());
            assertThat(qcow2.compressedClusters().decompressions()).isEqualTo(1);

            qcow2.readFully(piece.clear(), 4096);
            assertThat(qcow2.compressedClusters().decompressions()).isEqualTo(2);
        }
    }

    @Test
    void aReadOnlyBufferIsRefusedAsFileChannelRefusesIt() throws Exception {
        // the same exception whether the read would reach a compressed cluster, stored data or a hole
        Path image = Path.of(getClass().getResource("/fixtures/deflate-4k.qcow2").toURI());
        try (Image qcow2 = Images.open(image)) {
            for (long at : new long[] {0, qcow2.size() - 512}) {
                ByteBuffer readOnly = ByteBuffer.allocate(512).asReadOnlyBuffer();
                assertThatThrownBy(() -> qcow2.read(readOnly, at)).isExactlyInstanceOf(IllegalArgumentException.class)
                        .hasMessage("Read-only buffer");
                assertThatThrownBy(() -> qcow2.read(ByteBuffer.allocateDirect(512).asReadOnlyBuffer(), at))
                        .isExactlyInstanceOf(IllegalArgumentException.class);
            }
        }
    }
}
