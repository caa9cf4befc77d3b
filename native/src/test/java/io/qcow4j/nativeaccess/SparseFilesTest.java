package io.qcow4j.nativeaccess;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader's libc-backed file queries, and what they answer where libc cannot be called. */
class SparseFilesTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void allocationIsCountedForNonAsciiFileNames() throws Exception {
        // stat() gets the name in the JDK's file-name encoding; a wrong encoding would fail and fall back to the size
        Path file = sparse("dätä-ü.img");
        long allocated = FileAllocation.allocatedBytes(file);
        assertThat(allocated).isPositive().isLessThan(Files.size(file));
    }

    @Test
    void sparseFileMapReportsTheRuns() throws Exception {
        Path file = sparse("runs.img");
        try (SparseFileMap map = SparseFileMap.open(file)) {
            assertThat(map.runAt(0, 4 * MIB)).isEqualTo(new SparseFileMap.Run(MIB, true));
            assertThat(map.runAt(MIB, 4 * MIB)).isEqualTo(new SparseFileMap.Run(MIB + 4096, false));
            assertThat(map.runAt(MIB + 4096, 4 * MIB)).isEqualTo(new SparseFileMap.Run(4 * MIB, true));
        }
    }

    @Test
    void withoutLibcTheAllocationIsTheLengthAndTheFileIsAllData() throws Exception {
        Path file = sparse("no-libc.img");
        assertThat(FileAllocation.allocatedBytes(file, null)).isEqualTo(4 * MIB);
        try (SparseFileMap map = SparseFileMap.open(file, null)) {
            assertThat(map.runAt(0, 4 * MIB)).isEqualTo(new SparseFileMap.Run(4 * MIB, false));
            assertThat(map.runAt(MIB + 4096, 4 * MIB)).isEqualTo(new SparseFileMap.Run(4 * MIB, false));
        }
    }

    @Test
    void aFileThatCannotBeOpenedIsAllData() throws Exception {
        try (SparseFileMap map = SparseFileMap.open(dir.resolve("absent"))) {
            assertThat(map.runAt(0, MIB)).isEqualTo(new SparseFileMap.Run(MIB, false));
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
