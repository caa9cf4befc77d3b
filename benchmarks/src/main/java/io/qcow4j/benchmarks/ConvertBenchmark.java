package io.qcow4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.qcow4j.convert.ConvertOptions;
import io.qcow4j.convert.ConvertResult;
import io.qcow4j.convert.Converter;
import io.qcow4j.spi.Image;
import io.qcow4j.spi.Images;

/**
 * Converts a whole image to a sparse raw file with the default options (8 workers), or with one worker: the same
 * images as {@link SequentialReadBenchmark}, so the two show what block status, zero detection and parallelism add.
 * {@code java -jar benchmarks/target/benchmarks.jar Convert -Dqcow4j.bench.size=256}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class ConvertBenchmark {

    @Param({"0", "50", "100"})
    public int allocatedPercent;

    @Param({"NONE", "DEFLATE", "ZSTD"})
    public BenchImages.Compression compression;

    @Param({"8", "1"})
    public int workers;

    private Image image;
    private Path target;

    @Setup(Level.Trial)
    public void open() throws IOException, InterruptedException {
        Path dir = BenchImages.directory();
        image = Images.open(BenchImages.qcow2(dir, BenchImages.virtualSize(), allocatedPercent, compression));
        target = dir.resolve("convert-benchmark-target.raw");
    }

    @TearDown(Level.Invocation)
    public void removeTarget() throws IOException {
        Files.deleteIfExists(target);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        image.close();
    }

    @Benchmark
    public ConvertResult convert() throws IOException {
        return Converter.convert(image, target, ConvertOptions.defaults().withWorkers(workers));
    }
}
