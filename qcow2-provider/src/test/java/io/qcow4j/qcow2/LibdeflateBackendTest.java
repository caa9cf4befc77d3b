package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.qcow4j.nativeaccess.DeflateBackend;

/** How {@link DeflateBackend} chooses, and what it says about the choice. */
class LibdeflateBackendTest {

    @AfterEach
    void automaticBackend() {
        System.clearProperty(DeflateBackend.PROPERTY);
    }

    @Test
    void choosesLibdeflateByItselfWhereItLoads() {
        DecompressorDeflateTest.requireLibdeflate();
        assertThat(DeflateBackend.name()).isEqualTo("libdeflate");
        assertThat(DeflateBackend.describe()).isEqualTo("libdeflate (libdeflate.so.0 through jffi; "
                + "qcow4j.inflate=auto)");
        assertThat(Qcow2Opener.decompressors(CompressionType.DEFLATE).get()).isInstanceOf(LibdeflateDecompressor.class);
    }

    @Test
    void theJdkInflaterCanBeForced() {
        System.setProperty("qcow4j.inflate", "JDK");
        assertThat(DeflateBackend.name()).isEqualTo("jdk");
        assertThat(DeflateBackend.describe()).isEqualTo("jdk (java.util.zip.Inflater; qcow4j.inflate=jdk)");
        assertThat(Qcow2Opener.decompressors(CompressionType.DEFLATE).get()).isInstanceOf(InflaterDecompressor.class);
    }

    @Test
    void libdeflateCanBeForced() {
        DecompressorDeflateTest.requireLibdeflate();
        System.setProperty("qcow4j.inflate", "libdeflate");
        assertThat(DeflateBackend.name()).isEqualTo("libdeflate");
        assertThat(Qcow2Opener.decompressors(CompressionType.DEFLATE).get()).isInstanceOf(LibdeflateDecompressor.class);
    }

    @Test
    void anUnknownValueChoosesAutomatically() {
        System.setProperty("qcow4j.inflate", "zlib-ng");
        String expected = DeflateBackend.libdeflateAvailable() ? "libdeflate" : "jdk";
        assertThat(DeflateBackend.name()).isEqualTo(expected);
        assertThat(Qcow2Opener.decompressors(CompressionType.DEFLATE).get().getClass().getSimpleName())
                .isEqualTo(DeflateBackend.libdeflateAvailable() ? "LibdeflateDecompressor" : "InflaterDecompressor");
    }

    @Test
    void thePropertyIsReadWhenAnImageIsOpenedNotWhenItsThreadsStart() {
        System.setProperty("qcow4j.inflate", "jdk");
        var supplier = Qcow2Opener.decompressors(CompressionType.DEFLATE);
        System.clearProperty("qcow4j.inflate");
        assertThat(supplier.get()).isInstanceOf(InflaterDecompressor.class);
    }

    @Test
    void zstdImagesAreNotAffected() {
        System.setProperty("qcow4j.inflate", "jdk");
        assertThat(Qcow2Opener.decompressors(CompressionType.ZSTD).get()).isInstanceOf(ZstdDecompressor.class);
    }
}
