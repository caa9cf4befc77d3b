package io.qcow4j.qcow2.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.qcow4j.testing.Qemu;

/**
 * Small valid images made by qemu-img and qemu-io, to be damaged by {@link ImagePatcher}. Each is a few KiB: a
 * 65.5 KiB disk (not a multiple of 4 KiB) with text, random bytes, hexadecimal text, zero runs and a zero-flagged
 * cluster, so that data, zero and unallocated clusters, and for 512-byte clusters two L2 tables, all appear.
 */
public final class Fixtures {

    /** The virtual size of every fixture. */
    public static final long SIZE = 64 * 1024 + 1536;
    /** A guest offset that holds stored data in every fixture (text, so it compresses). */
    public static final long DATA_AT = 0;
    /** A guest offset that holds random data in every fixture. */
    public static final long RANDOM_AT = 8 * 1024;
    /** A guest offset that holds random hexadecimal text: a 4 KiB cluster there compresses to about half. */
    public static final long HEX_AT = 12 * 1024;
    /** A guest offset that is unallocated in every uncompressed fixture. */
    public static final long HOLE_AT = 40 * 1024;

    private Fixtures() {
    }

    /** The guest content the converted fixtures start from. */
    public static Path content(Path raw) {
        byte[] bytes = new byte[(int) SIZE];
        byte[] text = "qcow4j hostile-image fixture: the quick brown fox jumps over the lazy dog 0123456789\n"
                .getBytes(StandardCharsets.US_ASCII);
        fillText(bytes, 0, 8 * 1024, text);
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        System.arraycopy(random, 0, bytes, (int) RANDOM_AT, random.length);
        byte[] hex = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        Random hexRandom = new Random(7);
        for (int i = (int) HEX_AT; i < HEX_AT + 4096; i++) {
            bytes[i] = hex[hexRandom.nextInt(16)];
        }
        fillText(bytes, 20 * 1024, 24 * 1024, text);
        fillText(bytes, 60 * 1024, (int) SIZE - 100, text);
        try {
            Files.write(raw, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return raw;
    }

    private static void fillText(byte[] bytes, int from, int to, byte[] text) {
        for (int i = from; i < to; i++) {
            bytes[i] = text[i % text.length];
        }
    }

    /** An uncompressed image, compat 1.1 (v3) or 0.10 (v2), converted from {@link #content}. */
    public static Path plain(Path dir, String name, String compat, int clusterSize) {
        Path image = dir.resolve(name);
        Qemu.toQcow2(content(dir.resolve(name + ".content")), image,
                List.of("-o", "compat=" + compat + ",cluster_size=" + clusterSize));
        List<String> edits = new ArrayList<>(List.of("write -P 0x5a " + (48 * 1024 + 100) + " 700"));
        if (compat.equals("1.1")) {
            // a zero-flagged cluster (v3 only) in the middle of the text
            edits.add("write -z " + (20 * 1024) + " " + clusterSize);
        }
        Qemu.io(image, "qcow2", edits.toArray(String[]::new));
        return image;
    }

    /** A compressed image (every cluster that compresses is stored compressed). */
    public static Path compressed(Path dir, String name, String compat, int clusterSize, String compression) {
        Path image = dir.resolve(name);
        String options = "compat=" + compat + ",cluster_size=" + clusterSize
                + (compression.equals("zstd") ? ",compression_type=zstd" : "");
        Qemu.toQcow2(content(dir.resolve(name + ".content")), image, List.of("-c", "-o", options));
        return image;
    }

    /** The guest offset of the compressed cluster in {@link #extendedL2}. */
    public static final long COMPRESSED_AT_16K = 32 * 1024;

    /** Extended L2 with 16 KiB clusters of 512-byte subclusters: partly written, zeroed and unallocated. */
    public static Path extendedL2(Path dir, String name) {
        Path image = Qemu.createQcow2(dir.resolve(name), Long.toString(SIZE), "cluster_size=16k", "extended_l2=on");
        Qemu.io(image, "qcow2",
                "write -P 0x41 0 8k",
                "write -P 0x42 " + (RANDOM_AT) + " 4k",
                "write -P 0x43 " + (16 * 1024 + 1024) + " 1536",
                "write -z " + (16 * 1024 + 4096) + " 2048",
                "write -P 0x44 " + (SIZE - 700) + " 700",
                // a compressed cluster, which must have an all-zero bitmap
                "write -c -P 0x45 " + COMPRESSED_AT_16K + " 16k");
        return image;
    }

    /** A v3 image with 512-byte clusters and one internal snapshot "snap1", overwritten after the snapshot. */
    public static Path withSnapshot(Path dir, String name) {
        Path image = plain(dir, name, "1.1", 512);
        Qemu.run("qemu-img", "snapshot", "-c", "snap1", image.toString());
        Qemu.io(image, "qcow2", "write -P 0x77 0 1k");
        return image;
    }

    /** The bytes qemu-img reads from {@code image} (its active layer), converted to raw next to it. */
    public static byte[] expected(Path image) {
        try {
            return Files.readAllBytes(Qemu.toRaw(image, image.resolveSibling(image.getFileName() + ".expected")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
