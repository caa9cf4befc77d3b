package io.qcow4j.nativeaccess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.Inflater;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** libdeflate's compressor, bound through jffi: raw deflate that the JDK's inflater and libdeflate's own read back. */
class LibdeflateCompressTest {

    private static final int SIZE = 64 << 10;

    private Libdeflate libdeflate;

    @BeforeEach
    void load() {
        assumeTrue(DeflateBackend.libdeflateAvailable(), "libdeflate.so.0 is not installed");
        libdeflate = Libdeflate.load();
    }

    @Test
    void compressesToRawDeflateThatInflatesBack() throws Exception {
        ByteBuffer in = ByteBuffer.allocateDirect(SIZE);
        Random random = new Random(7);
        while (in.hasRemaining()) {
            // compressible: words from a small alphabet
            in.put((byte) ('a' + random.nextInt(6)));
        }
        long compressor = libdeflate.allocCompressor(6);
        assertThat(compressor).isNotZero();
        try {
            long bound = libdeflate.compressBound(compressor, SIZE);
            assertThat(bound).isGreaterThan(SIZE);
            ByteBuffer out = ByteBuffer.allocateDirect((int) bound);
            long length = libdeflate.compress(compressor, NativeLibrary.address(in), SIZE,
                    NativeLibrary.address(out), bound);
            assertThat(length).isPositive().isLessThan(SIZE / 2);

            byte[] stream = new byte[(int) length];
            out.get(0, stream);
            Inflater inflater = new Inflater(true);
            inflater.setInput(stream);
            byte[] back = new byte[SIZE];
            assertThat(inflater.inflate(back)).isEqualTo(SIZE);
            inflater.end();
            byte[] original = new byte[SIZE];
            in.get(0, original);
            assertThat(back).isEqualTo(original);

            ByteBuffer again = ByteBuffer.allocateDirect(SIZE);
            long decompressor = libdeflate.allocDecompressor();
            try {
                assertThat(libdeflate.decompress(decompressor, NativeLibrary.address(out), length,
                        NativeLibrary.address(again), SIZE, 0)).isEqualTo(Libdeflate.SUCCESS);
            } finally {
                libdeflate.freeDecompressor(decompressor);
            }
            assertThat(again.rewind()).isEqualTo(in.rewind());
        } finally {
            libdeflate.freeCompressor(compressor);
        }
    }

    @Test
    void aStreamThatDoesNotFitIsZero() {
        ByteBuffer in = ByteBuffer.allocateDirect(SIZE);
        byte[] noise = new byte[SIZE];
        new Random(3).nextBytes(noise);
        in.put(noise);
        ByteBuffer out = ByteBuffer.allocateDirect(SIZE);
        long compressor = libdeflate.allocCompressor(6);
        try {
            // random bytes never shrink: no stream fits in one byte less than the input
            assertThat(libdeflate.compress(compressor, NativeLibrary.address(in), SIZE, NativeLibrary.address(out),
                    SIZE - 1)).isZero();
        } finally {
            libdeflate.freeCompressor(compressor);
        }
    }
}
