package io.qcow4j.benchmarks;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import io.qcow4j.nativeaccess.Libdeflate;

/**
 * Inflates one 64 KiB cluster, as written by {@code qemu-img convert -c}, with the reader's own decompressors:
 * libdeflate against the JDK's {@link java.util.zip.Inflater}. The clusters come from real content: a tar of
 * {@code /usr} ({@code usr}: binaries, libraries, text) or the converter benchmarks' mix of log text and half-zero
 * blocks ({@code mixed}). The score is time per cluster; 65536 / score is the output rate.
 * {@code java -jar benchmarks/target/benchmarks.jar InflateBenchmark -f 1 -wi 2 -i 3}
 */
public class InflateBenchmark extends ClusterBenchmark {

    @Param({"libdeflate", "jdk"})
    public String backend;

    @Override
    String compression() {
        return "zlib";
    }

    @Override
    Cluster decompressor() throws ReflectiveOperationException {
        return backend.equals("jdk") ? Cluster.of("io.qcow4j.qcow2.InflaterDecompressor")
                : Cluster.of("io.qcow4j.qcow2.LibdeflateDecompressor", Libdeflate.load());
    }

    @Benchmark
    public ByteBuffer inflateCluster() throws Throwable {
        return decompressNext();
    }

    /**
     * The same clusters timed by thread CPU time instead of wall time, for a shared machine where other processes
     * make JMH's wall-clock scores swing: {@code java -cp benchmarks/target/benchmarks.jar
     * io.qcow4j.benchmarks.InflateBenchmark}. Prints the best of 8 passes over 1024 clusters per codec and content.
     */
    public static void main(String[] args) throws Throwable {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        ByteBuffer output = ByteBuffer.allocateDirect(65536);
        for (String content : List.of("usr", "mixed")) {
            for (String codec : List.of("libdeflate", "jdk", "zstd")) {
                List<ByteBuffer> clusters = Samples.compressedClusters(content, codec.equals("zstd") ? "zstd" : "zlib",
                        65536, 1024);
                Cluster decompressor = switch (codec) {
                    case "jdk" -> Cluster.of("io.qcow4j.qcow2.InflaterDecompressor");
                    case "zstd" -> Cluster.of("io.qcow4j.qcow2.ZstdDecompressor");
                    default -> Cluster.of("io.qcow4j.qcow2.LibdeflateDecompressor", Libdeflate.load());
                };
                long compressedBytes = 0;
                for (ByteBuffer cluster : clusters) {
                    compressedBytes += cluster.remaining();
                }
                double best = Double.MAX_VALUE;
                for (int pass = 0; pass < 8; pass++) {
                    long start = threads.getCurrentThreadCpuTime();
                    for (ByteBuffer cluster : clusters) {
                        decompressor.decompress(cluster.duplicate(), output.clear());
                    }
                    best = Math.min(best, (threads.getCurrentThreadCpuTime() - start) / 1e3 / clusters.size());
                }
                System.out.printf("%-6s %-10s %7.1f us CPU per 64 KiB cluster, %5.0f MB/s per core "
                        + "(%d clusters, %d compressed bytes each on average)%n", content, codec, best, 65536 / best,
                        clusters.size(), compressedBytes / clusters.size());
            }
        }
    }

    /**
     * One of the reader's package-private {@code ClusterDecompressor}s, reached by reflection (the benchmarks run on
     * the class path, where that is allowed): the benchmark then measures exactly what the reader runs.
     */
    static final class Cluster {
        private final Object instance;
        private final MethodHandle decompress;

        private Cluster(Object instance, MethodHandle decompress) {
            this.instance = instance;
            this.decompress = decompress;
        }

        static Cluster of(String className, Object... arguments) throws ReflectiveOperationException {
            Class<?> type = Class.forName(className);
            Constructor<?> constructor = null;
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (c.getParameterCount() == arguments.length) {
                    constructor = c;
                }
            }
            if (constructor == null) {
                throw new NoSuchMethodException(className + " with " + arguments.length + " arguments");
            }
            constructor.setAccessible(true);
            Method method = type.getDeclaredMethod("decompress", ByteBuffer.class, ByteBuffer.class);
            method.setAccessible(true);
            return new Cluster(constructor.newInstance(arguments), MethodHandles.lookup().unreflect(method));
        }

        void decompress(ByteBuffer src, ByteBuffer dst) throws Throwable {
            decompress.invoke(instance, src, dst);
        }
    }

    /** Compressed clusters cut out of images that qemu-img compressed, cached under {@code qcow4j.bench.dir}. */
    static final class Samples {

        private static final long COMPRESSED = 1L << 62;
        private static final long OFFSET_MASK = 0x00fffffffffffe00L;

        private Samples() {
        }

        /** Up to {@code max} compressed clusters, each in a direct buffer holding its declared sectors. */
        static List<ByteBuffer> compressedClusters(String content, String compression, int clusterSize, int max)
                throws IOException, InterruptedException {
            Path image = image(content, compression, clusterSize);
            List<ByteBuffer> clusters = new ArrayList<>();
            try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ)) {
                int clusterBits = Integer.numberOfTrailingZeros(clusterSize);
                int l1Size = readBuffer(file, 36, 4).getInt(0);
                long l1Offset = readBuffer(file, 40, 8).getLong(0);
                ByteBuffer l1 = readBuffer(file, l1Offset, 8 * l1Size);
                int shift = 62 - (clusterBits - 8);
                for (int i = 0; i < l1Size && clusters.size() < max; i++) {
                    long l2Offset = l1.getLong(8 * i) & OFFSET_MASK;
                    if (l2Offset == 0) {
                        continue;
                    }
                    ByteBuffer l2 = readBuffer(file, l2Offset, clusterSize);
                    for (int j = 0; j < clusterSize / 8 && clusters.size() < max; j++) {
                        long entry = l2.getLong(8 * j);
                        if ((entry & COMPRESSED) == 0) {
                            continue;
                        }
                        long host = entry & ((1L << shift) - 1);
                        long sectors = ((entry >>> shift) & ((1L << (clusterBits - 8)) - 1)) + 1;
                        long size = Math.min(sectors * 512 - (host & 511), file.size() - host);
                        ByteBuffer cluster = ByteBuffer.allocateDirect((int) size);
                        cluster.put(readBuffer(file, host, (int) size)).flip();
                        clusters.add(cluster);
                    }
                }
            }
            if (clusters.isEmpty()) {
                throw new IllegalStateException(image + " holds no compressed cluster");
            }
            return clusters;
        }

        /** The compressed image of the content, built once with qemu-img. */
        static Path image(String content, String compression, int clusterSize)
                throws IOException, InterruptedException {
            Path dir = BenchImages.directory();
            Path image = dir.resolve("samples-" + content + "-" + compression + "-" + clusterSize + ".qcow2");
            if (Files.exists(image)) {
                return image;
            }
            Path raw = switch (content) {
                case "usr" -> usrSample(dir);
                case "mixed" -> BenchImages.raw(dir, 96L << 20, 100);
                default -> throw new IllegalArgumentException("content must be usr or mixed: " + content);
            };
            Path partial = dir.resolve(image.getFileName() + ".partial");
            BenchImages.run(List.of("qemu-img", "convert", "-c", "-O", "qcow2", "-o",
                    "cluster_size=" + clusterSize + ",compression_type=" + compression, raw.toString(),
                    partial.toString()));
            Files.move(partial, image, StandardCopyOption.ATOMIC_MOVE);
            return image;
        }

        /** 96 MiB of a tar of /usr: what a system disk holds. */
        static Path usrSample(Path dir) throws IOException, InterruptedException {
            Path raw = dir.resolve("usr-96m.raw");
            if (!Files.exists(raw)) {
                Path partial = dir.resolve("usr-96m.raw.partial");
                BenchImages.run(List.of("sh", "-c", "tar -cf - -C / usr/bin usr/lib/x86_64-linux-gnu usr/share/doc "
                        + "2>/dev/null | head -c 100663296 > " + partial));
                Files.move(partial, raw, StandardCopyOption.ATOMIC_MOVE);
            }
            return raw;
        }

        private static ByteBuffer readBuffer(FileChannel file, long at, int length) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining()) {
                if (file.read(buffer, at + buffer.position()) < 0) {
                    break;
                }
            }
            return buffer.flip();
        }
    }
}
