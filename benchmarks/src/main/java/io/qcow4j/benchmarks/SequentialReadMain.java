package io.qcow4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.nativeaccess.DeflateBackend;

/**
 * {@code SequentialReadMain [-t THREADS] [-b BUFFER_KIB] [-heap] IMAGE}: reads the whole image with
 * {@link Image#read} into a 1 MiB direct buffer (or a heap buffer with {@code -heap}) and throws the bytes away,
 * then prints the rate to stderr. One thread reads front to back; several take 8 MiB pieces in turn. For timing
 * the reader alone against {@code qemu-img convert} in hyperfine.
 */
public final class SequentialReadMain {

    private static final long PIECE = 8L << 20;

    private SequentialReadMain() {
    }

    public static void main(String[] args) throws Exception {
        int threads = 1;
        int bufferBytes = 1 << 20;
        boolean heap = false;
        int i = 0;
        for (; i < args.length - 1; i++) {
            switch (args[i]) {
                case "-t" -> threads = Integer.parseInt(args[++i]);
                case "-b" -> bufferBytes = Integer.parseInt(args[++i]) << 10;
                case "-heap" -> heap = true;
                default -> usage();
            }
        }
        if (i != args.length - 1) {
            usage();
        }
        long start = System.nanoTime();
        long checksum = 0;
        try (Image image = Images.open(Path.of(args[i]))) {
            AtomicLong nextPiece = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ByteBuffer buffer = heap ? ByteBuffer.allocate(bufferBytes) : ByteBuffer.allocateDirect(bufferBytes);
                Callable<Long> reader = () -> readPieces(image, buffer, nextPiece);
                results.add(pool.submit(reader));
            }
            for (Future<Long> result : results) {
                checksum += result.get();
            }
            pool.shutdown();
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                    ? os.getProcessCpuTime() / 1e9 : Double.NaN;
            System.err.printf("%s: %d bytes in %.3f s (%.0f MB/s), %d thread(s), process CPU %.2f s, inflate: %s "
                    + "[%d]%n", args[i], image.size(), seconds, image.size() / seconds / 1e6, threads, cpu,
                    DeflateBackend.name(), checksum & 0xff);
        }
    }

    /** Reads pieces until none is left; returns a byte of each read so the reads stay. */
    private static long readPieces(Image image, ByteBuffer buffer, AtomicLong nextPiece) throws Exception {
        long size = image.size();
        long sum = 0;
        long piece;
        while ((piece = nextPiece.getAndIncrement() * PIECE) < size) {
            long end = Math.min(size, piece + PIECE);
            for (long at = piece; at < end; ) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), end - at));
                int n = image.read(buffer, at);
                sum += buffer.get(0);
                at += n;
            }
        }
        return sum;
    }

    private static void usage() {
        System.err.println("usage: SequentialReadMain [-t THREADS] [-b BUFFER_KIB] [-heap] IMAGE");
        System.exit(2);
    }
}
