package io.qcow4j.nativeaccess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import com.kenai.jffi.Type;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jffi bindings: failures name what is missing, and libc's calls behave as C's (errno, file names, holes). */
class NativeLibraryTest {

    private static final int MIB = 1 << 20;
    /** Linux's ENOENT. */
    private static final int ENOENT = 2;

    @TempDir
    Path dir;

    private LibC libc;

    @BeforeEach
    void bindLibc() {
        libc = LibC.get();
        assertThat(libc).as("libc.so.6 binds through jffi on Linux").isNotNull();
    }

    @Test
    void aMissingLibraryIsNamed() {
        assertThatThrownBy(() -> NativeLibrary.open("libqcow4j-no-such-library.so.7"))
                .isInstanceOf(UnsatisfiedLinkError.class)
                .hasMessageStartingWith("libqcow4j-no-such-library.so.7: ");
    }

    @Test
    void aMissingSymbolIsNamed() {
        NativeLibrary c = NativeLibrary.open("libc.so.6");
        assertThatThrownBy(() -> c.function("qcow4j_no_such_function", false, Type.SINT))
                .isInstanceOf(UnsatisfiedLinkError.class)
                .hasMessageStartingWith("libc.so.6 has no symbol qcow4j_no_such_function");
    }

    @Test
    void openReportsErrnoOfAMissingFile() {
        assertThat(libc.open(dir.resolve("absent").toString(), LibC.O_RDONLY)).isEqualTo(-1);
        assertThat(NativeLibrary.errno()).isEqualTo(ENOENT);
    }

    @Test
    void lseekFindsDataAndHoles() throws Exception {
        Path file = sparse("holes.img");
        int fd = libc.open(file.toString(), LibC.O_RDONLY);
        assertThat(fd).isGreaterThanOrEqualTo(0);
        try {
            assertThat(libc.lseek(fd, 0, LibC.SEEK_DATA)).isEqualTo(MIB);
            assertThat(libc.lseek(fd, MIB, LibC.SEEK_HOLE)).isEqualTo(MIB + 4096);
            assertThat(libc.lseek(fd, MIB + 4096, LibC.SEEK_DATA)).isEqualTo(-1);
            assertThat(NativeLibrary.errno()).isEqualTo(LibC.ENXIO);
        } finally {
            assertThat(libc.close(fd)).isZero();
        }
    }

    /** 4 MiB: a hole, 4 KiB of data at 1 MiB, a hole to the end. */
    private Path sparse(String name) throws Exception {
        Path file = dir.resolve(name);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4096).put(0, (byte) 1), MIB);
        }
        try (RandomAccessFile extend = new RandomAccessFile(file.toFile(), "rw")) {
            extend.setLength(4 * MIB);
        }
        assertThat(Files.size(file)).isEqualTo(4 * MIB);
        return file;
    }
}
