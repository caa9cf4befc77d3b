package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.Deflater;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.CorruptImageException;
import io.qcow4j.nativeaccess.DeflateBackend;
import io.qcow4j.nativeaccess.Libdeflate;

/** The contract of {@link GrainInflater}, for the JDK's zlib and for libdeflate (which the merge plugs in). */
class GrainInflaterTest {

    private static final byte[] GRAIN = Fixtures.content(65536, 4096, 42);

    private static GrainInflater inflater(String kind) {
        if (kind.equals("libdeflate")) {
            assumeTrue(DeflateBackend.libdeflateAvailable(), "libdeflate.so.0 is not installed");
            return new LibdeflateGrainInflater(Libdeflate.load());
        }
        return new JdkGrainInflater();
    }

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "libdeflate"})
    void fillsTheGrainAndIgnoresWhatFollowsTheStream(String kind) throws Exception {
        byte[] compressed = Fixtures.zlib(GRAIN, 0, GRAIN.length, Deflater.DEFAULT_COMPRESSION);
        byte[] padded = Arrays.copyOf(compressed, compressed.length + 300);
        Arrays.fill(padded, compressed.length, padded.length, (byte) 0x5a);
        ByteBuffer out = ByteBuffer.allocateDirect(GRAIN.length);
        GrainInflater inflater = inflater(kind);
        for (int round = 0; round < 3; round++) {
            assertThat(inflater.inflate(direct(padded), out.clear())).isEqualTo(GRAIN.length);
            byte[] got = new byte[GRAIN.length];
            out.flip().get(got);
            assertThat(got).isEqualTo(GRAIN);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "libdeflate"})
    void aShorterStreamGivesItsLength(String kind) throws Exception {
        byte[] compressed = Fixtures.zlib(GRAIN, 0, 1000, Deflater.BEST_SPEED);
        ByteBuffer out = ByteBuffer.allocateDirect(GRAIN.length);
        assertThat(inflater(kind).inflate(direct(compressed), out)).isEqualTo(1000);
        assertThat(out.position()).isEqualTo(1000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "libdeflate"})
    void refusesAStreamLongerThanTheGrain(String kind) {
        byte[] compressed = Fixtures.zlib(GRAIN, 0, GRAIN.length, Deflater.DEFAULT_COMPRESSION);
        assertThatThrownBy(() -> inflater(kind).inflate(direct(compressed), ByteBuffer.allocateDirect(65535)))
                .isInstanceOf(CorruptImageException.class).hasMessageContaining("inflates to more than");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "libdeflate"})
    void refusesACutStreamGarbageAndABadChecksum(String kind) {
        byte[] compressed = Fixtures.zlib(GRAIN, 0, GRAIN.length, Deflater.DEFAULT_COMPRESSION);
        GrainInflater inflater = inflater(kind);
        byte[] cut = Arrays.copyOf(compressed, compressed.length / 2);
        assertThatThrownBy(() -> inflater.inflate(direct(cut), ByteBuffer.allocateDirect(GRAIN.length)))
                .isInstanceOf(CorruptImageException.class);
        byte[] garbage = new byte[4096];
        Arrays.fill(garbage, (byte) 0xff);
        assertThatThrownBy(() -> inflater.inflate(direct(garbage), ByteBuffer.allocateDirect(GRAIN.length)))
                .isInstanceOf(CorruptImageException.class).hasMessageContaining("does not inflate");
        byte[] badChecksum = compressed.clone();
        badChecksum[badChecksum.length - 1] ^= 1;
        assertThatThrownBy(() -> inflater.inflate(direct(badChecksum), ByteBuffer.allocateDirect(GRAIN.length)))
                .isInstanceOf(CorruptImageException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk"})
    void jdkNamesWhyAndTakesHeapBuffers(String kind) {
        byte[] compressed = Fixtures.zlib(GRAIN, 0, GRAIN.length, Deflater.DEFAULT_COMPRESSION);
        GrainInflater inflater = inflater(kind);
        assertThatThrownBy(() -> inflater.inflate(ByteBuffer.wrap(Arrays.copyOf(compressed, 100)),
                ByteBuffer.allocate(GRAIN.length))).isInstanceOf(CorruptImageException.class)
                .hasMessageStartingWith("the compressed grain's zlib stream ends early, after ");
        Deflater withDictionary = new Deflater();
        withDictionary.setDictionary(new byte[] {1, 2, 3});
        withDictionary.setInput(GRAIN);
        withDictionary.finish();
        byte[] out = new byte[70000];
        int n = withDictionary.deflate(out);
        assertThatThrownBy(() -> inflater.inflate(ByteBuffer.wrap(out, 0, n), ByteBuffer.allocate(GRAIN.length)))
                .isInstanceOf(CorruptImageException.class).hasMessage("the compressed grain's zlib stream needs a "
                        + "preset dictionary");
    }
}
