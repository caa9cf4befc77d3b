package io.qcow4j.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

import io.qcow4j.Image;

/**
 * Reads a whole image front to back with {@link Image#read}, 1 MiB at a time on one thread: the reader's own speed,
 * holes and zero clusters included, to set against {@link ConvertBenchmark}.
 * {@code java -jar benchmarks/target/benchmarks.jar SequentialRead -Dqcow4j.bench.size=256}
 */
public class SequentialReadBenchmark extends WholeImageBenchmark {

    private ByteBuffer buffer;

    @Setup(Level.Trial)
    public void allocateBuffer() {
        buffer = ByteBuffer.allocateDirect(1 << 20);
    }

    /** @return the bytes read, so that the reads are not optimised away */
    @Benchmark
    public long read() throws IOException {
        long size = image.size();
        long position = 0;
        while (position < size) {
            buffer.clear();
            int n = image.read(buffer, position);
            if (n < 0) {
                break;
            }
            position += n;
        }
        return position + buffer.get(0);
    }
}
