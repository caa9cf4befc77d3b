package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;

import org.junit.jupiter.api.Test;

import io.qcow4j.spi.Images;

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
}
