package io.qcow4j.nativeaccess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fallocate through the one libc binding, and the space that answers false where libc or the file is missing. */
class FileSpaceTest {

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
        try (FileSpace space = FileSpace.open(file)) {
            assertThat(space.size()).isEqualTo(2 * MIB);
            assertThat(space.punchHole(MIB, MIB)).isTrue();
        }
        byte[] after = Files.readAllBytes(file);
        assertThat(after[MIB - 1]).isEqualTo((byte) 1);
        assertThat(Arrays.copyOfRange(after, MIB, 2 * MIB)).isEqualTo(new byte[MIB]);
    }

    @Test
    void reservesSpaceThatReadsAsZerosBeyondTheEnd() throws Exception {
        Path file = Files.write(dir.resolve("reserved.raw"), new byte[] {7});
        try (FileSpace space = FileSpace.open(file)) {
            assertThat(space.reserve(MIB, MIB)).isTrue();
        }
        assertThat(Files.size(file)).isEqualTo(2 * MIB);
        assertThat(FileAllocation.allocatedBytes(file)).isGreaterThanOrEqualTo(MIB);
        byte[] after = Files.readAllBytes(file);
        assertThat(after[0]).isEqualTo((byte) 7);
        assertThat(Arrays.copyOfRange(after, 1, 2 * MIB)).isEqualTo(new byte[2 * MIB - 1]);
    }

    @Test
    void aFailureOtherThanUnsupportedNamesTheFileAndTheCall() throws Exception {
        Path file = ones("negative.raw");
        try (FileSpace space = FileSpace.open(file)) {
            // a negative offset is EINVAL, which means "unsupported" and answers false, so ask past the largest file
            assertThatThrownBy(() -> space.reserve(Long.MAX_VALUE - MIB, MIB))
                    .isInstanceOf(java.nio.file.FileSystemException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("(fallocate reserving space of " + MIB + " bytes at offset ");
        }
    }

    @Test
    void withoutLibcNothingIsPunchedAndTheCallerWritesZeros() throws Exception {
        Path file = ones("untouched.raw");
        try (FileSpace space = FileSpace.open(file, null)) {
            assertThat(space.size()).isEqualTo(-1);
            assertThat(space.punchHole(0, MIB)).isFalse();
            assertThat(space.reserve(2 * MIB, MIB)).isFalse();
        }
        assertThat(Files.readAllBytes(file)[0]).isEqualTo((byte) 1);
        assertThat(Files.size(file)).isEqualTo(2 * MIB);
    }

    @Test
    void aFileThatCannotBeOpenedIsNeverPunched() throws Exception {
        try (FileSpace space = FileSpace.open(dir.resolve("absent"), LibC.get())) {
            assertThat(space.size()).isEqualTo(-1);
            assertThat(space.punchHole(0, MIB)).isFalse();
        }
    }
}
