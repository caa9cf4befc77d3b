package io.qcow4j.qcow2.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

import io.qcow4j.nativeaccess.FileSpace;

/**
 * Gives a preallocated image's data clusters their space in the file: {@code falloc} reserves it, {@code full} writes
 * zeros, as qemu-img does. A file system that cannot reserve space (or a JVM without jffi) gets zeros written, as
 * {@code posix_fallocate} does there.
 */
final class DataAllocation {

    private static final int ZEROS = 1 << 20;

    private DataAllocation() {
    }

    /** Reserves the runs' space with {@code fallocate}, or writes zeros where it cannot be reserved. */
    static void reserve(Path file, FileChannel channel, List<long[]> runs) throws IOException {
        try (FileSpace space = FileSpace.open(file)) {
            for (long[] run : runs) {
                if (!space.reserve(run[0], run[1])) {
                    writeZeros(channel, List.of(run));
                }
            }
        }
    }

    /** Writes zeros over the runs. */
    static void writeZeros(FileChannel channel, List<long[]> runs) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect(ZEROS);
        for (long[] run : runs) {
            long at = run[0];
            long end = run[0] + run[1];
            while (at < end) {
                zeros.clear().limit((int) Math.min(ZEROS, end - at));
                while (zeros.hasRemaining()) {
                    at += channel.write(zeros, at);
                }
            }
        }
    }
}
