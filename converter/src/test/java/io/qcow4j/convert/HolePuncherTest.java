package io.qcow4j.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.nativeaccess.LibC;

/** Hole punching through the one libc binding, and the puncher that never punches where libc is missing. */
class HolePuncherTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private Path ones(String name) throws Exception {
        byte[] bytes = new byte[2 * MIB];
        Arrays.fill(bytes, (byte) 1);
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void punchesAHoleThatReadsAsZerosAndSizesTheFile() throws Exception {
        Path file = ones("target.raw");
        try (HolePuncher puncher = HolePuncher.open(file)) {
            assertThat(puncher.size()).isEqualTo(2 * MIB);
            assertThat(puncher.punch(MIB, MIB)).isTrue();
        }
        byte[] after = Files.readAllBytes(file);
        assertThat(after[MIB - 1]).isEqualTo((byte) 1);
        assertThat(Arrays.copyOfRange(after, MIB, 2 * MIB)).isEqualTo(new byte[MIB]);
    }

    @Test
    void withoutLibcNothingIsPunchedAndTheCallerWritesZeros() throws Exception {
        Path file = ones("untouched.raw");
        try (HolePuncher puncher = HolePuncher.open(file, null)) {
            assertThat(puncher.size()).isEqualTo(-1);
            assertThat(puncher.punch(0, MIB)).isFalse();
        }
        assertThat(Files.readAllBytes(file)[0]).isEqualTo((byte) 1);
    }

    @Test
    void aFileThatCannotBeOpenedIsNeverPunched() throws Exception {
        try (HolePuncher puncher = HolePuncher.open(dir.resolve("absent"), LibC.get())) {
            assertThat(puncher.size()).isEqualTo(-1);
            assertThat(puncher.punch(0, MIB)).isFalse();
        }
    }
}
