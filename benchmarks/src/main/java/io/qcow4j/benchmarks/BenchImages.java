package io.qcow4j.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds the benchmark images with qemu-img, as the go-qcow2reader benchmarks do: a virtual disk of which a given
 * share is allocated (spread evenly in 1 MiB chunks), holding a realistic mix of incompressible bytes (random, as in
 * compressed or encrypted files), compressible text (log lines) and data with zero runs (half-filled blocks).
 * Images are cached by name in the directory and reused.
 */
public final class BenchImages {

    /** How the qcow2 clusters are stored. */
    public enum Compression {
        NONE, DEFLATE, ZSTD
    }

    private static final int CHUNK = 1 << 20;

    private BenchImages() {
    }

    /** The directory for images: system property {@code qcow4j.bench.dir}, else {@code /tmp/qcow4j-bench-jmh}. */
    public static Path directory() throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("qcow4j.bench.dir", "/tmp/qcow4j-bench-jmh")));
    }

    /** The virtual size: system property {@code qcow4j.bench.size} in MiB, else 256 MiB. */
    public static long virtualSize() {
        return Long.getLong("qcow4j.bench.size", 256) << 20;
    }

    /** The qcow2 image of {@code size} bytes with {@code allocatedPercent} % allocated, built once. */
    public static Path qcow2(Path dir, long size, int allocatedPercent, Compression compression)
            throws IOException, InterruptedException {
        Path image = dir.resolve("bench-" + (size >> 20) + "m-" + allocatedPercent + "pct-"
                + compression.name().toLowerCase() + ".qcow2");
        if (Files.exists(image)) {
            return image;
        }
        Path raw = raw(dir, size, allocatedPercent);
        List<String> command = new ArrayList<>(List.of("qemu-img", "convert", "-O", "qcow2"));
        switch (compression) {
            case DEFLATE -> command.addAll(List.of("-c", "-o", "compression_type=zlib"));
            case ZSTD -> command.addAll(List.of("-c", "-o", "compression_type=zstd"));
            default -> { }
        }
        Path partial = dir.resolve(image.getFileName() + ".partial");
        command.add(raw.toString());
        command.add(partial.toString());
        run(command);
        Files.move(partial, image, StandardCopyOption.ATOMIC_MOVE);
        return image;
    }

    /** The sparse raw file the qcow2 images are made from, built once. */
    public static Path raw(Path dir, long size, int allocatedPercent) throws IOException {
        Path raw = dir.resolve("bench-" + (size >> 20) + "m-" + allocatedPercent + "pct.raw");
        if (Files.exists(raw)) {
            return raw;
        }
        Path partial = dir.resolve(raw.getFileName() + ".partial");
        Random random = new Random(allocatedPercent);
        byte[] chunk = new byte[CHUNK];
        long chunks = size / CHUNK;
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            int written = 0;
            for (long i = 0; i < chunks; i++) {
                // chunk i is allocated when the running share of allocated chunks steps up: an even spread
                if ((i + 1) * allocatedPercent / 100 == i * allocatedPercent / 100) {
                    continue;
                }
                fill(chunk, written++, random);
                ByteBuffer buffer = ByteBuffer.wrap(chunk);
                while (buffer.hasRemaining()) {
                    channel.write(buffer, i * CHUNK + buffer.position());
                }
            }
            channel.truncate(size);
            if (channel.size() < size) {
                channel.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
        }
        Files.move(partial, raw, StandardCopyOption.ATOMIC_MOVE);
        return raw;
    }

    /** One chunk: in turn incompressible, log text, and 4 KiB blocks of which every other is zero. */
    private static void fill(byte[] chunk, int index, Random random) {
        switch (index % 3) {
            case 0 -> random.nextBytes(chunk);
            case 1 -> {
                StringBuilder text = new StringBuilder(CHUNK + 200);
                while (text.length() < CHUNK) {
                    text.append("2026-11-25T12:").append(10 + random.nextInt(50)).append(':')
                            .append(10 + random.nextInt(50)).append('.').append(random.nextInt(1000))
                            .append(" INFO  [worker-").append(random.nextInt(16)).append("] request ")
                            .append(random.nextInt(10_000_000)).append(" served ")
                            .append(random.nextBoolean() ? "GET /api/v1/images/" : "PUT /api/v1/volumes/")
                            .append(Long.toHexString(random.nextLong())).append(" in ")
                            .append(random.nextInt(500)).append(" ms\n");
                }
                byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(bytes, 0, chunk, 0, CHUNK);
            }
            default -> {
                random.nextBytes(chunk);
                for (int block = 0; block < CHUNK; block += 8192) {
                    java.util.Arrays.fill(chunk, block, block + 4096, (byte) 0);
                }
            }
        }
    }

    static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IOException("exit " + process.exitValue() + " from " + command);
        }
    }

    /** Builds the images given on the command line: {@code SIZE_MIB PERCENT COMPRESSION...}, printing their paths. */
    public static void main(String[] args) throws IOException, InterruptedException {
        long size = Long.parseLong(args[0]) << 20;
        int percent = Integer.parseInt(args[1]);
        for (int i = 2; i < args.length; i++) {
            System.out.println(qcow2(directory(), size, percent, Compression.valueOf(args[i].toUpperCase())));
        }
    }
}
