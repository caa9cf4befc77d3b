package io.qcow4j.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The feature matrix that qcow2 reads are checked on: compat 0.10 and 1.1; clusters of 512 B, 4 KiB, 64 KiB and
 * 2 MiB; uncompressed, deflate and zstd; extended L2 off and on; backing depth 0, 1 and 2 (a raw base, shorter than
 * the overlay). Every image also gets unaligned writes, zero writes and discards through qemu-io.
 */
public final class ImageMatrix {

    /** The virtual size of the top image: not a multiple of any cluster size. */
    public static final long SIZE = 5L * 1024 * 1024 + 1536;
    /** The raw base of a backing chain is shorter than the overlay. */
    public static final long BASE_SIZE = 3L * 1024 * 1024;

    /** One point of the matrix. */
    public record Case(String compat, int clusterSize, String compression, boolean extendedL2, int backingDepth) {

        /**
         * The case's name, for a parameterized test's display.
         *
         * @return the name
         */
        public String name() {
            return "compat=" + compat + ",cluster=" + clusterSize + "," + compression
                    + (extendedL2 ? ",extended_l2" : "") + ",depth=" + backingDepth;
        }

        @Override
        public String toString() {
            return name();
        }

        private List<String> createOptions() {
            List<String> options = new ArrayList<>(List.of("compat=" + compat, "cluster_size=" + clusterSize));
            if (compression.equals("zstd")) {
                options.add("compression_type=zstd");
            }
            if (extendedL2) {
                options.add("extended_l2=on");
            }
            return options;
        }
    }

    private ImageMatrix() {
    }

    /**
     * A deflate-compressed qcow2 overlay over an uncompressed qcow2 base, with a zeroed range and unallocated holes:
     * {@code overlay.qcow2} over {@code base.qcow2} in {@code dir}, 6 MiB.
     *
     * @param dir where the images are made
     * @return the overlay
     */
    public static Path compressedChain(Path dir) {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
        Path base = Qemu.createQcow2(dir.resolve("base.qcow2"), "6M");
        Qemu.io(base, "qcow2", "write -P 0x11 0 2M", "write -P 0x22 3M 1M", "write -P 0x33 5M 64k");
        Path overlayDraft = Qemu.createQcow2(dir.resolve("draft.qcow2"), "6M", "backing_file=" + base,
                "backing_fmt=qcow2");
        Qemu.io(overlayDraft, "qcow2", "write -P 0x44 512k 1M", "write -z 3M 128k", "write -P 0x55 4100k 300k");
        Path overlay = dir.resolve("overlay.qcow2");
        // -B keeps the chain: only what the draft itself allocates is copied, compressed
        Qemu.run("qemu-img", "convert", "-c", "-O", "qcow2", "-o", "compression_type=zlib", "-B", base.toString(),
                "-F", "qcow2", overlayDraft.toString(), overlay.toString());
        return overlay;
    }

    /**
     * Every valid combination.
     *
     * @return the cases
     */
    public static Stream<Case> all() {
        List<Case> cases = new ArrayList<>();
        for (String compat : List.of("0.10", "1.1")) {
            for (int cluster : List.of(512, 4096, 65536, 2 * 1024 * 1024)) {
                for (String compression : List.of("none", "zlib", "zstd")) {
                    for (boolean extended : List.of(false, true)) {
                        for (int depth = 0; depth <= 2; depth++) {
                            boolean v3 = compat.equals("1.1");
                            if ((compression.equals("zstd") && !v3) || (extended && (!v3 || cluster < 16384))) {
                                continue;
                            }
                            cases.add(new Case(compat, cluster, compression, extended, depth));
                        }
                    }
                }
            }
        }
        return cases.stream();
    }

    /**
     * Builds the case's image chain in {@code dir} with qemu-img and qemu-io and returns the top image.
     *
     * @param c the case
     * @param dir where the images go
     * @param seed the random content's seed
     * @return the top image
     * @throws IOException when a file cannot be written
     */
    public static Path build(Case c, Path dir, long seed) throws IOException {
        Path content = ImageContent.writeRaw(dir.resolve("content.raw"), SIZE, seed);
        Path top = dir.resolve("top.qcow2");
        if (c.backingDepth() == 0) {
            List<String> options = new ArrayList<>();
            if (!c.compression().equals("none")) {
                options.add("-c");
            }
            options.add("-o");
            options.add(String.join(",", c.createOptions()));
            Qemu.toQcow2(content, top, options);
        } else {
            Path base = ImageContent.writeRaw(dir.resolve("base.raw"), BASE_SIZE, seed + 1);
            Path below = base;
            String belowFormat = "raw";
            if (c.backingDepth() == 2) {
                Path mid = dir.resolve("mid.qcow2");
                create(c, mid, "base.raw", "raw");
                edit(c, mid, 1);
                below = mid;
                belowFormat = "qcow2";
            }
            create(c, top, below.getFileName().toString(), belowFormat);
        }
        edit(c, top, 0);
        return top;
    }

    private static void create(Case c, Path image, String backing, String backingFormat) {
        List<String> options = new ArrayList<>(c.createOptions());
        options.add("backing_file=" + backing);
        options.add("backing_fmt=" + backingFormat);
        Qemu.createQcow2(image, Long.toString(SIZE), options.toArray(String[]::new));
    }

    /**
     * Unaligned writes, zero writes (whole and partial clusters), discards and, when compressed, a compressed write
     * into the discarded range (QEMU compresses only into clusters with no host offset).
     */
    private static void edit(Case c, Path image, int layer) {
        long cs = c.clusterSize();
        long discardAt = alignDown(SIZE / 2, cs);
        List<String> commands = new ArrayList<>();
        commands.add("write -P 0x" + Integer.toHexString(0x41 + layer) + " " + (123 + layer * 7000) + " 5000");
        commands.add("write -P 0x" + Integer.toHexString(0x61 + layer) + " " + (alignDown(SIZE / 7, cs) + 512)
                + " " + Math.min(2 * cs, 256 * 1024));
        commands.add("write -z " + alignDown(SIZE * 3 / 10, cs) + " " + cs);
        commands.add("write -z " + (1024 * 1024 + 512) + " 1024");
        commands.add("discard " + discardAt + " " + cs);
        if (!c.compression().equals("none")) {
            commands.add("write -c -P 0x" + Integer.toHexString(0x21 + layer) + " " + discardAt + " " + cs);
        }
        commands.add("write -P 0x33 " + (BASE_SIZE - 1024) + " 4096");
        commands.add("write -P 0x77 " + (SIZE - 700) + " 700");
        Qemu.io(image, "qcow2", commands.toArray(String[]::new));
    }

    private static long alignDown(long value, long alignment) {
        return value - value % alignment;
    }
}
