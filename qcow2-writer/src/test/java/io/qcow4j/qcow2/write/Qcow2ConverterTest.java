package io.qcow4j.qcow2.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.convert.ConversionException;
import io.qcow4j.convert.ConvertOptions;
import io.qcow4j.nativeaccess.DeflateBackend;
import io.qcow4j.testing.Bytes;
import io.qcow4j.testing.MemoryImage;
import io.qcow4j.testing.Qemu;

class Qcow2ConverterTest {

    /** An odd size: neither whole clusters nor whole sectors. */
    private static final long SIZE = (5L << 20) + 12345;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
    }

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of("", false), Arguments.of("", true),
                Arguments.of("cluster_size=512", false), Arguments.of("cluster_size=512", true),
                Arguments.of("cluster_size=2M", false), Arguments.of("cluster_size=2M", true),
                Arguments.of("compat=0.10", false), Arguments.of("compat=0.10", true),
                Arguments.of("compression_type=zstd", true),
                Arguments.of("compression_type=zstd,cluster_size=512", true),
                Arguments.of("extended_l2=on", false), Arguments.of("extended_l2=on", true),
                Arguments.of("refcount_bits=1", true), Arguments.of("refcount_bits=2,cluster_size=512", true),
                Arguments.of("refcount_bits=64,lazy_refcounts=on", false));
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void convertsAMixedRawImage(String layout, boolean compress) throws IOException {
        Path raw = mixedRaw(dir.resolve("source.raw"), SIZE);
        Path target = dir.resolve("target.qcow2");
        convert(raw, target, Qcow2OptionsParser.parse(layout).options(), compress);
        assertValidCopy(raw, target);
        if (compress) {
            assertThat(compressedClusters(target)).isPositive();
        }
    }

    @Test
    void emptyAndFullyAllocatedSources() throws IOException {
        Path empty = dir.resolve("empty.raw");
        Files.write(empty, new byte[0]);
        Path emptyTarget = dir.resolve("empty.qcow2");
        convert(empty, emptyTarget, Qcow2Options.defaults(), false);
        assertValidCopy(empty, emptyTarget);

        Path zeros = dir.resolve("zeros.raw");
        Files.write(zeros, new byte[3 << 20]);
        Path zerosTarget = dir.resolve("zeros.qcow2");
        try (Image image = Images.open(zeros)) {
            io.qcow4j.convert.ConvertResult result = Qcow2Converter.convertCompressed(image,
                    zerosTarget, Qcow2Options.defaults(), ConvertOptions.defaults());
            assertThat(result.virtualSize()).isEqualTo(3 << 20);
            assertThat(result.bytesZero()).isEqualTo(3 << 20);
        }
        assertValidCopy(zeros, zerosTarget);
        assertThat(Qemu.run("qemu-img", "map", "--output=json", zerosTarget.toString()))
                .doesNotContain("\"data\": true");

        Path full = dir.resolve("full.raw");
        byte[] random = new byte[4 << 20];
        new Random(7).nextBytes(random);
        Files.write(full, random);
        for (boolean compress : List.of(false, true)) {
            Path fullTarget = dir.resolve("full-" + compress + ".qcow2");
            convert(full, fullTarget, Qcow2Options.defaults(), compress);
            assertValidCopy(full, fullTarget);
            // random data does not shrink: written as it is, as QEMU writes it
            assertThat(compressedClusters(fullTarget)).isZero();
        }
    }

    /**
     * Holes that start and end inside clusters, after chunks of data that leave the reused buffers full of other
     * bytes: the parts of a cluster around its data read as zeros, and a cluster with no data stays unallocated.
     */
    @ParameterizedTest
    @MethodSource("layouts")
    void dataRunsInsideClustersBetweenHoles(String layout, boolean compress) throws IOException {
        long size = (3L << 20) + 777;
        MemoryImage source = MemoryImage.builder(size)
                .data(0, 1 << 20)
                .unallocated(1 << 20, (8 << 10) + 3)
                .data((1 << 20) + (8 << 10) + 3, 5000)
                .unallocated((1 << 20) + (8 << 10) + 5003, (56 << 10) - 5103)
                .data((1 << 20) + (64 << 10) - 100, 300)
                .unallocated((1 << 20) + (64 << 10) + 200, (448 << 10) - 200)
                .zero(3 << 19, 64 << 10)
                .unallocated((3 << 19) + (64 << 10), (448 << 10) + (128 << 10) - 1)
                .data((2 << 20) + (128 << 10) - 1, 1)
                .unallocated((2 << 20) + (128 << 10), (1 << 20) - (128 << 10))
                .data(3 << 20, 777)
                .build();
        Path raw = dir.resolve("source.raw");
        Files.write(raw, source.contents());
        Path target = dir.resolve("target.qcow2");
        convert(source, target, Qcow2OptionsParser.parse(layout).options(), compress,
                ConvertOptions.builder().workers(2).bufferSize(256 << 10).segmentSize(256 << 10).build());
        assertValidCopy(raw, target);
    }

    @Test
    void deflatesWithTheJdkWhereLibdeflateIsNotChosen() throws IOException {
        Path raw = mixedRaw(dir.resolve("source.raw"), 2 << 20);
        Path target = dir.resolve("jdk.qcow2");
        String before = System.getProperty(DeflateBackend.PROPERTY);
        System.setProperty(DeflateBackend.PROPERTY, DeflateBackend.JDK);
        try {
            convert(raw, target, Qcow2Options.defaults(), true);
        } finally {
            if (before == null) {
                System.clearProperty(DeflateBackend.PROPERTY);
            } else {
                System.setProperty(DeflateBackend.PROPERTY, before);
            }
        }
        assertValidCopy(raw, target);
        assertThat(compressedClusters(target)).isPositive();
    }

    @Test
    void sourcesInOtherFormats() throws IOException {
        Path raw = mixedRaw(dir.resolve("source.raw"), 3 << 20);
        for (String format : List.of("vmdk", "vpc", "qcow2")) {
            Path source = dir.resolve("source." + format);
            Qemu.run("qemu-img", "convert", "-O", format, raw.toString(), source.toString());
            Path target = dir.resolve("from-" + format + ".qcow2");
            convert(source, target, Qcow2Options.defaults(), true);
            assertValidCopy(source, target);
        }
        // a chain: what the overlay leaves to its backing file is copied from there
        Path overlay = dir.resolve("overlay.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "source.qcow2", "-F", "qcow2", overlay.toString());
        Qemu.io(overlay, "qcow2", "write -P 0x66 1536k 8k", "write -z 2M 64k");
        Path flattened = dir.resolve("flattened.qcow2");
        convert(overlay, flattened, Qcow2Options.defaults(), false);
        assertValidCopy(overlay, flattened);
        assertThat(Qemu.run("qemu-img", "info", "--output=json", flattened.toString()))
                .doesNotContain("backing-filename");
    }

    @Test
    void overlaysOnQcow2AndRawBackingFiles() throws IOException {
        Path base = mixedRaw(dir.resolve("base.raw"), SIZE);
        Path baseQcow2 = dir.resolve("base.qcow2");
        Qemu.run("qemu-img", "convert", "-O", "qcow2", base.toString(), baseQcow2.toString());
        // the source: the base with some clusters changed, some zeroed, some identical
        Path changed = dir.resolve("changed.raw");
        Files.copy(base, changed);
        Qemu.io(changed, "raw", "write -P 0x5a 64k 64k", "write -z 1M 256k", "write -P 0x11 3M 4k",
                "write -z 0 64k");
        for (String format : List.of("qcow2", "raw")) {
            for (String layout : List.of("", "compat=0.10", "extended_l2=on", "cluster_size=4096")) {
                for (boolean compress : List.of(false, true)) {
                    Path target = dir.resolve("overlay.qcow2");
                    String backing = "base." + format;
                    convert(changed, target, Qcow2OptionsParser.parse(layout).options().toBuilder().backingFile(backing)
                            .backingFormat(format).build(), compress);
                    assertClean(target);
                    Qemu.run("qemu-img", "compare", "-F", "raw", target.toString(), changed.toString());
                    assertThat(Qemu.run("qemu-img", "info", "--output=json", target.toString()))
                            .contains("\"backing-filename\": \"" + backing + "\"")
                            .contains("\"backing-filename-format\": \"" + format + "\"");
                    // only what differs is in the overlay
                    String map = Qemu.run("qemu-img", "map", "--output=json", target.toString());
                    assertThat(map).as(format + " " + layout).contains("\"depth\": 1");
                    assertReadsBack(changed, target);
                }
            }
        }
    }

    @Test
    void aSourceFailingMidwayLeavesNoTarget() throws IOException {
        byte[] bytes = new byte[8 << 20];
        new Random(3).nextBytes(bytes);
        MemoryImage source = MemoryImage.builder(bytes.length).data(0, bytes)
                .failReads(5 << 20, 4096, "disk fell off").build();
        Path target = dir.resolve("target.qcow2");
        Files.writeString(target, "previous contents");
        assertThatThrownBy(() -> Qcow2Converter.convertCompressed(source, target, Qcow2Options.defaults(),
                ConvertOptions.builder().workers(2).bufferSize(1 << 20).segmentSize(1 << 20).build()))
                .isInstanceOf(ConversionException.class).hasMessageContaining("disk fell off");
        assertThat(Files.readString(target)).isEqualTo("previous contents");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void anInterruptedConversionLeavesNoFile() throws Exception {
        byte[] bytes = new byte[8 << 20];
        new Random(5).nextBytes(bytes);
        CountDownLatch reading = new CountDownLatch(1);
        MemoryImage source = MemoryImage.builder(bytes.length).data(0, bytes).onRead((position, length) -> {
            if (position >= (4 << 20)) {
                reading.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException("read interrupted");
                }
            }
        }).build();
        Path target = dir.resolve("target.qcow2");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread converting = new Thread(() -> {
            try {
                Qcow2Converter.convertCompressed(source, target, Qcow2Options.defaults(),
                        ConvertOptions.builder().workers(2).bufferSize(1 << 20).segmentSize(1 << 20).build());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        converting.start();
        reading.await();
        converting.interrupt();
        converting.join();
        assertThat(failure.get()).isInstanceOf(IOException.class);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void neitherTheSourceNorTheBackingFileIsReplaced() throws IOException {
        Path raw = mixedRaw(dir.resolve("source.raw"), 1 << 20);
        byte[] before = Files.readAllBytes(raw);
        assertThatThrownBy(() -> convert(raw, raw, Qcow2Options.defaults(), false))
                .isInstanceOf(java.nio.file.FileSystemException.class)
                .hasMessageContaining("the target is the source image's file");
        Path base = dir.resolve("base.qcow2");
        Qemu.run("qemu-img", "convert", "-O", "qcow2", raw.toString(), base.toString());
        byte[] baseBefore = Files.readAllBytes(base);
        assertThatThrownBy(() -> convert(raw, base, Qcow2Options.builder().backingFile("base.qcow2")
                .backingFormat("qcow2").build(), false))
                .isInstanceOf(java.nio.file.FileSystemException.class)
                .hasMessageContaining("the target is the new image's backing file");
        assertThat(Files.readAllBytes(raw)).isEqualTo(before);
        assertThat(Files.readAllBytes(base)).isEqualTo(baseBefore);
    }

    @Test
    void aSymbolicLinkIsFollowedAndADirectoryRefused() throws IOException {
        Path raw = mixedRaw(dir.resolve("source.raw"), 1 << 20);
        Path real = dir.resolve("real.qcow2");
        Files.writeString(real, "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.qcow2"), real.getFileName());
        convert(raw, link, Qcow2Options.defaults(), false);
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertValidCopy(raw, real);
        Path directory = Files.createDirectory(dir.resolve("directory.qcow2"));
        assertThatThrownBy(() -> convert(raw, directory, Qcow2Options.defaults(), false))
                .isInstanceOf(java.nio.file.FileSystemException.class).hasMessageContaining("is a directory");
    }

    /** Data, zeros and holes: random clusters, clusters of one byte repeated (compressible), zeroed clusters. */
    static Path mixedRaw(Path raw, long size) throws IOException {
        byte[] bytes = new byte[(int) size];
        Random random = new Random(size);
        for (int at = 0; at < bytes.length; at += 4096) {
            int end = Math.min(bytes.length, at + 4096);
            switch ((at / 4096) % 7) {
                case 0, 1 -> {
                    for (int i = at; i < end; i++) {
                        bytes[i] = (byte) ("qcow4j compresses text well ".charAt(i % 28));
                    }
                }
                case 2 -> {
                    byte[] chunk = new byte[end - at];
                    random.nextBytes(chunk);
                    System.arraycopy(chunk, 0, bytes, at, chunk.length);
                }
                default -> {
                    // zeros, most of the image: whole zero clusters at the larger cluster sizes
                }
            }
        }
        // the last bytes, past the last whole sector, are data
        bytes[bytes.length - 1] = 0x7f;
        java.util.Arrays.fill(bytes, 0, Math.min(bytes.length, 1 << 20), (byte) 0);
        Files.write(raw, bytes);
        return raw;
    }

    private static void convert(Path source, Path target, Qcow2Options layout, boolean compress) throws IOException {
        try (Image image = Images.open(source)) {
            convert(image, target, layout, compress,
                    ConvertOptions.builder().workers(3).bufferSize(256 << 10).segmentSize(256 << 10).build());
        }
    }

    static void assertValidCopy(Path source, Path target) throws IOException {
        assertClean(target);
        Qemu.run("qemu-img", "compare", target.toString(), source.toString());
        assertReadsBack(source, target);
    }

    /** What qemu-img check counts (its map does not say which clusters are compressed before QEMU 8). */
    static long compressedClusters(Path image) {
        String check = Qemu.run("qemu-img", "check", "--output=json", image.toString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"compressed-clusters\": (\\d+)").matcher(check);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static void assertClean(Path image) {
        Qcow2WriterCreateTest.assertClean(image);
    }

    /** qcow4j's own reader gives the source's bytes, the padding to a whole sector reading as zeros. */
    private static void assertReadsBack(Path source, Path target) throws IOException {
        try (Image expected = Images.open(source); Image actual = Images.open(target, OpenOptions.defaults())) {
            assertThat(actual.size()).isEqualTo((expected.size() + 511) & ~511L);
            byte[] want = new byte[(int) actual.size()];
            expected.readFully(ByteBuffer.wrap(want, 0, (int) expected.size()), 0);
            Bytes.assertReadsAs(actual, want);
        }
    }

    /** {@code -c} or not, as the test's parameter says. */
    private static void convert(Image source, Path target, Qcow2Options layout, boolean compress,
                                ConvertOptions options) throws IOException {
        if (compress) {
            Qcow2Converter.convertCompressed(source, target, layout, options);
        } else {
            Qcow2Converter.convert(source, target, layout, options);
        }
    }
}
