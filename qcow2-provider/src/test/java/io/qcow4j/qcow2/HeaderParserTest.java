package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.CorruptImageException;
import io.qcow4j.EncryptedImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.UnsupportedFeatureException;

/** The header checks, on hand-built headers: no qemu-img needed. */
class HeaderParserTest {

    private static final long FILE_SIZE = 1L << 30;

    /** A valid version 3 header with 64 KiB clusters, a 1 GiB disk and its L1 table at 3 * 64 KiB. */
    private static ByteBuffer v3() {
        ByteBuffer b = ByteBuffer.allocate(65536);
        b.putInt(0, Qcow2Header.MAGIC);
        b.putInt(4, 3);
        b.putInt(20, 16);
        b.putLong(24, 1L << 30);
        b.putInt(36, 2);
        b.putLong(40, 3 * 65536);
        b.putLong(48, 65536);
        b.putInt(56, 1);
        b.putInt(96, 4);
        b.putInt(100, 112);
        return b;
    }

    private static ByteBuffer v2() {
        ByteBuffer b = v3();
        b.putInt(4, 2);
        for (int i = 72; i < 112; i++) {
            b.put(i, (byte) 0);
        }
        return b;
    }

    @Test
    void parsesAVersion3Header() throws Exception {
        Qcow2Header h = HeaderParser.parse(v3(), FILE_SIZE);
        assertThat(h.version()).isEqualTo(3);
        assertThat(h.clusterSize()).isEqualTo(65536);
        assertThat(h.size()).isEqualTo(1L << 30);
        assertThat(h.l1Size()).isEqualTo(2);
        assertThat(h.headerLength()).isEqualTo(112);
        assertThat(h.compressionType()).isEqualTo(CompressionType.DEFLATE);
        assertThat(h.extensionAreaEnd()).isEqualTo(65536);
    }

    @Test
    void version2GetsVersion3Defaults() throws Exception {
        Qcow2Header h = HeaderParser.parse(v2(), FILE_SIZE);
        assertThat(h.refcountOrder()).isEqualTo(4);
        assertThat(h.headerLength()).isEqualTo(72);
        assertThat(h.incompatibleFeatures()).isZero();
    }

    @Test
    void zstdNeedsItsFeatureBitAndTheBitNeedsZstd() throws Exception {
        ByteBuffer b = v3();
        b.put(104, (byte) 1);
        assertThatThrownBy(() -> HeaderParser.parse(b, FILE_SIZE)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("compression_type is 1 (zstd) but the compression type feature bit is clear");
        b.putLong(72, Qcow2Header.INCOMPAT_COMPRESSION);
        assertThat(HeaderParser.parse(b, FILE_SIZE).compressionType()).isEqualTo(CompressionType.ZSTD);
        b.put(104, (byte) 0);
        assertThatThrownBy(() -> HeaderParser.parse(b, FILE_SIZE)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("compression type feature bit is set but compression_type is 0");
        b.put(104, (byte) 7);
        assertThatThrownBy(() -> HeaderParser.parse(b, FILE_SIZE)).isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("unknown compression_type 7");
    }

    @Test
    void refusesBadMagicAndVersions() {
        ByteBuffer b = v3();
        b.putInt(0, 0x12345678);
        assertThatThrownBy(() -> HeaderParser.parse(b, FILE_SIZE)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("magic 0x12345678");
        ByteBuffer c = v3();
        c.putInt(4, 4);
        assertThatThrownBy(() -> HeaderParser.parse(c, FILE_SIZE)).isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("unsupported qcow2 version 4");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 8, 22, 63, -1})
    void refusesClusterBitsOutOfRange(int bits) {
        ByteBuffer b = v3();
        b.putInt(20, bits);
        assertThatThrownBy(() -> HeaderParser.parse(b, FILE_SIZE)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("cluster_bits " + Integer.toUnsignedString(bits) + " is outside 9..21");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 72, 100, 65544, -8})
    void refusesBadHeaderLengths(int length) {
        ByteBuffer b = v3();
        b.putInt(100, length);
        assertThatThrownBy(() -> HeaderParser.parse(b, FILE_SIZE)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("header_length " + Integer.toUnsignedString(length));
    }

    @Test
    void refusesEncryption() {
        ByteBuffer aes = v3();
        aes.putInt(32, 1);
        assertThatThrownBy(() -> HeaderParser.parse(aes, FILE_SIZE)).isInstanceOf(EncryptedImageException.class)
                .hasMessageContaining("encrypted (crypt_method 1, AES)");
        ByteBuffer luks = v3();
        luks.putInt(32, 2);
        assertThatThrownBy(() -> HeaderParser.parse(luks, FILE_SIZE)).isInstanceOf(EncryptedImageException.class)
                .hasMessageContaining("LUKS");
    }

    @Test
    void refusesL1TablesTooLargeTooSmallOrMisplaced() {
        ByteBuffer huge = v3();
        huge.putInt(36, -1);
        assertThatThrownBy(() -> HeaderParser.parse(huge, FILE_SIZE)).isInstanceOf(ImageLimitException.class)
                .hasMessageContaining("l1_size 4294967295");
        ByteBuffer small = v3();
        small.putInt(36, 1);
        assertThatThrownBy(() -> HeaderParser.parse(small, FILE_SIZE)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("l1_size 1 is too small for the virtual size 1073741824, which needs 2");
        ByteBuffer unaligned = v3();
        unaligned.putLong(40, 3 * 65536 + 8);
        assertThatThrownBy(() -> HeaderParser.parse(unaligned, FILE_SIZE)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("l1_table_offset 196616 is not aligned");
        ByteBuffer outside = v3();
        assertThatThrownBy(() -> HeaderParser.parse(outside, 3 * 65536 + 8)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("l1_table_offset 196608 with 16 bytes of table reaches past the end");
    }

    @Test
    void refusesOversizedRefcountAndSnapshotTables() {
        ByteBuffer refcounts = v3();
        refcounts.putInt(56, 129);
        assertThatThrownBy(() -> HeaderParser.parse(refcounts, FILE_SIZE)).isInstanceOf(ImageLimitException.class)
                .hasMessageContaining("refcount_table_clusters 129");
        ByteBuffer snapshots = v3();
        snapshots.putInt(60, 65537);
        assertThatThrownBy(() -> HeaderParser.parse(snapshots, FILE_SIZE)).isInstanceOf(ImageLimitException.class)
                .hasMessageContaining("nb_snapshots 65537 exceeds 65536");
        ByteBuffer order = v3();
        order.putInt(96, 7);
        assertThatThrownBy(() -> HeaderParser.parse(order, FILE_SIZE)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("refcount_order 7");
    }

    @Test
    void refusesBackingNamesOutsideTheHeaderCluster() {
        ByteBuffer longName = v3();
        longName.putLong(8, 512);
        longName.putInt(16, 1024);
        assertThatThrownBy(() -> HeaderParser.parse(longName, FILE_SIZE)).isInstanceOf(ImageLimitException.class)
                .hasMessageContaining("backing_file_size 1024 exceeds 1023");
        ByteBuffer outside = v3();
        outside.putLong(8, 65536 - 10);
        outside.putInt(16, 20);
        assertThatThrownBy(() -> HeaderParser.parse(outside, FILE_SIZE)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("passes the end of the header cluster (65536 bytes)");
    }

    @Test
    void extendedL2NeedsClustersOf16KiB() {
        ByteBuffer b = v3();
        b.putInt(20, 13);
        b.putLong(72, Qcow2Header.INCOMPAT_EXTENDED_L2);
        b.putLong(40, 3 * 8192);
        b.putInt(36, 1024);
        assertThatThrownBy(() -> HeaderParser.parse(b, FILE_SIZE)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("extended L2 entries need clusters of at least 16384 bytes");
    }

    @Test
    void truncatedHeadersAreNamed() {
        assertThatThrownBy(() -> HeaderParser.parse(v3(), 50)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("the file has 50 bytes");
        assertThatThrownBy(() -> HeaderParser.parse(v3(), 90)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("a version 3 header needs at least 104");
    }

    @Test
    void extensionsAreParsedAndBounded() throws Exception {
        ByteBuffer b = v3();
        int at = 112;
        b.putInt(at, HeaderExtensions.BACKING_FORMAT).putInt(at + 4, 3);
        b.put(at + 8, (byte) 'r').put(at + 9, (byte) 'a').put(at + 10, (byte) 'w');
        at += 16;
        b.putInt(at, HeaderExtensions.FEATURE_NAMES).putInt(at + 4, 48);
        b.put(at + 8, (byte) 0).put(at + 9, (byte) 9);
        b.put(at + 10, "future feature".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        at += 56;
        b.putInt(at, 0x12345678).putInt(at + 4, 5);
        Qcow2Header h = HeaderParser.parse(b, FILE_SIZE);
        HeaderExtensions e = HeaderExtensions.parse(b, h);
        assertThat(e.backingFormat()).isEqualTo("raw");
        assertThat(e.incompatibleFeatureName(9)).contains("future feature");
        assertThat(e.incompatibleFeatureName(10)).isEmpty();

        b.putInt(at + 4, 65536);
        assertThatThrownBy(() -> HeaderExtensions.parse(b, h)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("too large");
    }
}
