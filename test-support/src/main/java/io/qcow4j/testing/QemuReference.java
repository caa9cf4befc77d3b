package io.qcow4j.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.qcow4j.BlockStatus;
import io.qcow4j.Image;

/**
 * qemu-img as the reference for the formats it reads with {@code -f}: its raw bytes, its map and its info JSON, and
 * the checks that an image reads, reads in parallel and maps as it says.
 */
public final class QemuReference {

    private QemuReference() {
    }

    /** {@code qemu-img convert -f FORMAT -O raw}, read back. */
    public static byte[] raw(Path image, String format) throws IOException {
        Path raw = image.resolveSibling(image.getFileName() + ".reference.raw");
        Qemu.run("qemu-img", "convert", "-f", format, "-O", "raw", image.toString(), raw.toString());
        try {
            return Files.readAllBytes(raw);
        } finally {
            Files.delete(raw);
        }
    }

    /** {@code qemu-img info -f FORMAT --output=json}. */
    public static JsonObject info(Path image, String format) {
        return JsonParser.parseString(Qemu.run("qemu-img", "info", "-f", format, "--output=json", image.toString()))
                .getAsJsonObject();
    }

    /** The {@code format-specific.data} of qemu-img's info, or an empty object where it shows none. */
    public static JsonObject formatSpecific(Path image, String format) {
        JsonElement specific = info(image, format).get("format-specific");
        return specific == null ? new JsonObject() : specific.getAsJsonObject().getAsJsonObject("data");
    }

    /** {@code qemu-img map -f FORMAT --output=json}, parsed and merged as {@link QemuMap#merged} merges. */
    public static List<QemuMap> map(Path image, String format) {
        return QemuMap.merged(QemuMap.of(image, format));
    }

    /**
     * An image of {@code format} made by qemu-img with {@code -o options}: created empty, or converted from a raw file
     * of {@link ImageContent} (data, zeros and holes).
     */
    public static Path make(Path image, String format, String options, long size, boolean converted)
            throws IOException {
        if (converted) {
            Path content = ImageContent.writeRaw(image.resolveSibling(image.getFileName() + ".content.raw"), size,
                    size);
            Qemu.run("qemu-img", "convert", "-f", "raw", "-O", format, "-o", options, content.toString(),
                    image.toString());
            Files.delete(content);
        } else {
            Qemu.run("qemu-img", "create", "-q", "-f", format, "-o", options, image.toString(), Long.toString(size));
        }
        return image;
    }

    /**
     * qemu-io's writes across a disk of {@code size} bytes: patterns at unaligned offsets, zero writes, the last
     * bytes of the disk, so that a format's allocation, partial blocks and zero handling all show.
     */
    public static void writeScattered(Path image, String format, long size) {
        Qemu.io(image, format, "write -P 0x41 123 5000", "write -P 0x61 " + (size / 7 + 512) + " 300k",
                "write -z " + (size * 3 / 10 & -512) + " 64k", "write -z " + (1024 * 1024 + 512) + " 1024",
                "write -P 0x77 " + (size - 700) + " 700", "write -P 0x35 " + (2L << 20) + " 4096");
    }

    /**
     * {@code image}, open as {@code opened}, reads as qemu-img reads it (whole and at random from several threads),
     * its zero runs read zero, and, unless {@code withMap} is false, its map is qemu-img's.
     */
    public static void assertReadsAsQemu(Image opened, Path image, String format, boolean withMap) throws Exception {
        byte[] expected = raw(image, format);
        assertThat(opened.format()).isEqualTo(format);
        assertReads(opened, expected);
        assertZeroRunsReadZero(opened, expected);
        if (withMap) {
            assertThat(ours(opened)).containsExactlyElementsOf(map(image, format));
        }
    }

    /** Reads whole, then at random from four threads into heap and direct buffers, against {@code expected}. */
    public static void assertReads(Image image, byte[] expected) throws Exception {
        assertThat(image.size()).isEqualTo(expected.length);
        Bytes.assertReadsAs(image, expected);
        assertRandomReads(image, expected, 100, 600_000);
    }

    /**
     * Reads at random from four threads, each {@code readsPerThread} reads of 1 to {@code maxLength} bytes into heap
     * and direct buffers in turn, against {@code expected}; then one read past the end, which must give -1.
     */
    public static void assertRandomReads(Image image, byte[] expected, int readsPerThread, int maxLength)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                results.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < readsPerThread && expected.length > 0; i++) {
                        int offset = random.nextInt(expected.length);
                        int length = 1 + random.nextInt(maxLength);
                        ByteBuffer dst = i % 2 == 0 ? ByteBuffer.allocate(length) : ByteBuffer.allocateDirect(length);
                        int n = image.read(dst, offset);
                        assertThat(n).isEqualTo(Math.min(length, expected.length - offset));
                        byte[] got = new byte[n];
                        dst.flip().get(got);
                        Bytes.assertSame(got, Arrays.copyOfRange(expected, offset, offset + n), offset);
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(image.read(ByteBuffer.allocate(1), expected.length)).isEqualTo(-1);
    }

    /** Every run that says it reads as zero does. */
    public static void assertZeroRunsReadZero(Image image, byte[] expected) throws IOException {
        for (BlockStatus run : image.map(0, image.size())) {
            if (run.readsAsZero()) {
                for (long i = run.offset(); i < run.end(); i++) {
                    if (expected[(int) i] != 0) {
                        throw new AssertionError("run " + run + " reads as zero but byte " + i + " is "
                                + expected[(int) i]);
                    }
                }
            }
        }
    }

    /** Our map as qemu-img prints it ({@link QemuMap#of(Image)}). */
    public static List<QemuMap> ours(Image image) throws IOException {
        return QemuMap.of(image);
    }
}
