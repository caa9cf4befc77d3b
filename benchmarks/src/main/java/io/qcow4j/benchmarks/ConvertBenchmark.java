package io.qcow4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import io.qcow4j.convert.ConvertOptions;
import io.qcow4j.convert.ConvertResult;
import io.qcow4j.convert.Converter;

/**
 * Converts a whole image to a sparse raw file with 8 workers (as qemu-img's 8 requests in flight), 2 (the default on
 * a 2-core machine, one per core), or one: the same images as {@link SequentialReadBenchmark}, so the two show what
 * block status, zero detection and parallelism add.
 * {@code java -jar benchmarks/target/benchmarks.jar Convert -Dqcow4j.bench.size=256}
 */
public class ConvertBenchmark extends WholeImageBenchmark {

    @Param({"8", "2", "1"})
    public int workers;

    private Path target;

    @Setup(Level.Trial)
    public void chooseTarget() throws IOException {
        target = BenchImages.directory().resolve("convert-benchmark-target.raw");
    }

    @TearDown(Level.Invocation)
    public void removeTarget() throws IOException {
        Files.deleteIfExists(target);
    }

    @Benchmark
    public ConvertResult convert() throws IOException {
        return Converter.convert(image, target, ConvertOptions.builder().workers(workers).build());
    }
}
