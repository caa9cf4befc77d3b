package io.qcow4j.benchmarks;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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

import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.Images;

/**
 * The cost of the mapping layer alone (no data read): the reader's {@code ClusterMap.extentAt}, which
 * {@link Image#read} calls once per run of clusters, and the public {@link Image#blockStatus} over it; L2 tables are
 * cached after the first walk. Images of 96 MiB, 64 KiB clusters: {@code compressed} (one run per cluster),
 * {@code contiguous} (qemu-img convert: long runs) and {@code fragmented} (clusters written in reverse order, so
 * no two neighbours are contiguous on the host). Run with {@code -prof gc} to see allocation per lookup.
 * {@code java -jar benchmarks/target/benchmarks.jar L2LookupBenchmark -f 1 -wi 2 -i 3}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class L2LookupBenchmark {

    private static final int CLUSTER = 65536;

    @Param({"compressed", "contiguous", "fragmented"})
    public String layout;

    private Image image;
    private Object map;
    private MethodHandle extentAt;
    private long[] offsets;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        image = Images.open(image(layout));
        Field field = image.getClass().getDeclaredField("map");
        field.setAccessible(true);
        map = field.get(image);
        Method method = map.getClass().getDeclaredMethod("extentAt", long.class, long.class);
        method.setAccessible(true);
        extentAt = MethodHandles.lookup().unreflect(method);
        SplittableRandom random = new SplittableRandom(7);
        offsets = new long[4096];
        long clusters = image.size() / CLUSTER;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = random.nextLong(clusters) * CLUSTER + random.nextInt(CLUSTER);
        }
        System.out.printf("%n%s: %d runs in %d clusters%n", layout, walkExtents(), clusters);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        image.close();
    }

    /** One lookup at a random offset, up to the end of its cluster: what a small random read costs in mapping. */
    @Benchmark
    public Object lookupInCluster() throws Throwable {
        long at = offsets[next];
        next = (next + 1) & (offsets.length - 1);
        return extentAt.invoke(map, at, CLUSTER - (at & (CLUSTER - 1)));
    }

    /** The whole image, run by run, as a sequential reader maps it; the score divided by the runs is per run. */
    @Benchmark
    public long walkExtents() throws Throwable {
        long size = image.size();
        long at = 0;
        long runs = 0;
        while (at < size) {
            Object extent = extentAt.invoke(map, at, size - at);
            at += lengthOf(extent);
            runs++;
        }
        return runs;
    }

    /** The same walk through the public API: one {@link BlockStatus} per run. */
    @Benchmark
    public long walkBlockStatus() throws IOException {
        long size = image.size();
        long at = 0;
        long runs = 0;
        while (at < size) {
            BlockStatus status = image.blockStatus(at, size - at);
            at = status.end();
            runs++;
        }
        return runs;
    }

    /** {@code Extent.length()} of the reader's package-private record, resolved on first use. */
    private MethodHandle length;

    private long lengthOf(Object extent) throws Throwable {
        if (length == null) {
            Method method = extent.getClass().getDeclaredMethod("length");
            method.setAccessible(true);
            length = MethodHandles.lookup().unreflect(method);
        }
        return (long) length.invoke(extent);
    }

    static Path image(String layout) throws IOException, InterruptedException {
        Path dir = BenchImages.directory();
        Path image = dir.resolve("l2-" + layout + ".qcow2");
        if (Files.exists(image)) {
            return image;
        }
        Path partial = dir.resolve(image.getFileName() + ".partial");
        switch (layout) {
            case "compressed" -> Files.copy(InflateBenchmark.Samples.image("usr", "zlib", CLUSTER), partial,
                    StandardCopyOption.REPLACE_EXISTING);
            case "contiguous" -> BenchImages.run(List.of("qemu-img", "convert", "-O", "qcow2",
                    InflateBenchmark.Samples.usrSample(dir).toString(), partial.toString()));
            case "fragmented" -> {
                long size = 96L << 20;
                BenchImages.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", partial.toString(),
                        Long.toString(size)));
                List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
                for (long at = size - CLUSTER; at >= 0; at -= CLUSTER) {
                    command.add("-c");
                    command.add("write -q -P " + (1 + (at / CLUSTER) % 255) + " " + at + " " + CLUSTER);
                }
                command.add(partial.toString());
                BenchImages.run(command);
            }
            default -> throw new IllegalArgumentException("layout: " + layout);
        }
        Files.move(partial, image, StandardCopyOption.ATOMIC_MOVE);
        return image;
    }
}
