package io.qcow4j.convert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.qcow4j.testing.Qemu;

/** Small images of the kinds the reader must handle, made with qemu-img and qemu-io. */
final class TestImages {

    /** Not a multiple of the cluster sizes, so the last cluster is partial. */
    static final long SIZE = (12L << 20) + 1536;

    private TestImages() {
    }

    /** The kinds of qcow2 image compared against qemu-img. */
    enum Kind {
        CLUSTER_512, CLUSTER_64K, CLUSTER_2M, DEFLATE, ZSTD, BACKING, ZERO_CLUSTERS, EXTENDED_L2, PREALLOCATED, RAW
    }

    static Path build(Kind kind, Path dir) throws IOException {
        Path raw = rawBase(dir.resolve("base-" + kind + ".raw"));
        Path image = dir.resolve(kind.name().toLowerCase() + (kind == Kind.RAW ? ".raw" : ".qcow2"));
        switch (kind) {
            case RAW -> {
                return raw;
            }
            case CLUSTER_512 -> Qemu.toQcow2(raw, image, List.of("-o", "cluster_size=512"));
            case CLUSTER_64K -> Qemu.toQcow2(raw, image, List.of());
            case CLUSTER_2M -> Qemu.toQcow2(raw, image, List.of("-o", "cluster_size=2M"));
            case DEFLATE -> Qemu.toQcow2(raw, image, List.of("-c", "-o", "compression_type=zlib"));
            case ZSTD -> Qemu.toQcow2(raw, image, List.of("-c", "-o", "compression_type=zstd"));
            case EXTENDED_L2 -> Qemu.toQcow2(raw, image, List.of("-o", "extended_l2=on,cluster_size=128k"));
            // every cluster allocated, the unwritten ones holes of the file: block status reports them as zero
            case PREALLOCATED -> Qemu.toQcow2(raw, image, List.of("-o", "preallocation=metadata"));
            case ZERO_CLUSTERS -> {
                Qemu.toQcow2(raw, image, List.of());
                // zero clusters over stored data, and a discarded range
                Qemu.io(image, "qcow2", "write -z 0 256k", "write -z 1088k 64k", "discard 5M 128k");
            }
            case BACKING -> {
                Path base = Qemu.toQcow2(raw, dir.resolve("backing-base.qcow2"), List.of());
                List<String> cmd = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b",
                        base.toString(), "-F", "qcow2", image.toString()));
                Qemu.run(cmd);
                // overlay data hiding the base, zeros hiding base data, and a partial cluster copied on write
                Qemu.io(image, "qcow2", "write -P 0x5a 64k 64k", "write -z 192k 128k", "write -P 0x77 4609 1000",
                        "write -P 0 8M 64k");
            }
            default -> throw new IllegalArgumentException(kind.toString());
        }
        if (kind != Kind.BACKING) {
            // data written after the conversion: uncompressed clusters among compressed ones, allocated zeros,
            // sub-cluster writes at odd offsets
            Qemu.io(image, "qcow2", "write -P 0 3M 256k", "write -P 0xc3 7M 5k", "write -P 0x3c 11M 512");
        }
        return image;
    }

    /**
     * A raw file with random data, a hole, a repeated pattern, written zeros, a half-zero buffer and data at the end:
     * incompressible and compressible clusters, and zero runs inside data.
     */
    static Path rawBase(Path raw) throws IOException {
        Random random = new Random(42);
        try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.truncate(0);
            write(channel, 0, randomBytes(random, 1 << 20));
            // [1M, 2M) stays a hole
            write(channel, 2L << 20, filled(64 << 10, (byte) 0x11));
            write(channel, (2L << 20) + (64 << 10), new byte[256 << 10]);
            byte[] mixed = randomBytes(random, 2 << 20);
            for (int i = 4096 * 3; i < mixed.length; i += 4096 * 5) {
                java.util.Arrays.fill(mixed, i, Math.min(mixed.length, i + 4096 * 2 + 512), (byte) 0);
            }
            write(channel, 4L << 20, mixed);
            write(channel, 9L << 20, randomBytes(random, 100_000));
            write(channel, SIZE - 70_000, randomBytes(random, 70_000));
        }
        return raw;
    }

    private static void write(FileChannel channel, long position, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer, position + buffer.position());
        }
    }

    static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, value);
        return bytes;
    }

    /**
     * {@code st_blocks}, the 512-byte blocks a file allocates, once written back: before that, ext4's delayed
     * allocation has not yet counted the extent tree's blocks.
     */
    static long blocks(Path file) {
        Qemu.run("sync", file.toString());
        return Long.parseLong(Qemu.run("stat", "-c", "%b", file.toString()).trim());
    }
}
