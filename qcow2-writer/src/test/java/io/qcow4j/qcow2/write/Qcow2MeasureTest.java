package io.qcow4j.qcow2.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.MemoryImage;
import io.qcow4j.testing.Qemu;

/** {@link Qcow2Measure} against {@code qemu-img measure --output=json}: the same three numbers, or the same refusal. */
class Qcow2MeasureTest {

    private static final Pattern FIELD = Pattern.compile("\"(required|fully-allocated|bitmaps)\": (\\d+)");

    /** The -o lists measured with: each option qemu-img's measure honours, alone and together. */
    private static final List<String> OPTIONS = List.of("", "cluster_size=512", "cluster_size=2M",
            "refcount_bits=1", "refcount_bits=64", "extended_l2=on", "extended_l2=on,cluster_size=2M,refcount_bits=8",
            "compat=0.10", "cluster_size=4k,preallocation=full", "preallocation=falloc,extended_l2=on",
            "preallocation=metadata");

    @TempDir
    static Path dir;

    private static final Map<String, Path> SOURCES = new LinkedHashMap<>();

    @BeforeAll
    static void makeSources() throws IOException {
        if (!Qemu.checksWith("qemu-img")) {
            return;
        }
        Qemu.require("qemu-img");
        SOURCES.put("empty qcow2", Qemu.createQcow2(dir.resolve("empty.qcow2"), "1G"));
        SOURCES.put("zero-sized qcow2", Qemu.createQcow2(dir.resolve("zero.qcow2"), "0"));

        Path partly = Qemu.createQcow2(dir.resolve("partly.qcow2"), "10M", "cluster_size=4k");
        // data runs that start and end inside clusters of every cluster size measured, zeros, a discard
        Qemu.io(partly, "qcow2", "write -P 0x11 512 1k", "write -P 0x12 100k 3k", "write -z 1M 256k",
                "write -P 0x13 2047k 8k", "write -P 0x14 5M 1M", "discard 5500k 64k", "write -P 0x15 10236k 4k");
        SOURCES.put("partly allocated qcow2", partly);

        Path full = Qemu.createQcow2(dir.resolve("full.qcow2"), "3M");
        Qemu.io(full, "qcow2", "write -P 0x21 0 3M");
        SOURCES.put("fully allocated qcow2", full);

        SOURCES.put("compressed qcow2", Qemu.toQcow2(partly, dir.resolve("compressed.qcow2"), List.of("-c")));

        Path base = Qemu.createQcow2(dir.resolve("base.qcow2"), "4M");
        Qemu.io(base, "qcow2", "write -P 0x31 0 1M", "write -P 0x32 3M 64k");
        Path overlay = Qemu.createQcow2(dir.resolve("overlay.qcow2"), "6M", "backing_file=base.qcow2",
                "backing_fmt=qcow2");
        // over the base's data: zeros hide some of it; past the base's end
        Qemu.io(overlay, "qcow2", "write -P 0x33 512k 64k", "write -z 0 128k", "write -P 0x34 5M 4k");
        SOURCES.put("qcow2 over a backing file", overlay);

        Path sparse = dir.resolve("sparse.raw");
        Files.write(sparse, new byte[0]);
        Qemu.run("truncate", "-s", "5M", sparse.toString());
        Qemu.io(sparse, "raw", "write -P 0x41 64k 4k", "write -P 0x42 3M 200k");
        SOURCES.put("sparse raw", sparse);

        Path odd = dir.resolve("odd.raw");
        Files.write(odd, new byte[1000]);
        SOURCES.put("raw of 1000 bytes", odd);

        Path preallocated = Qemu.createQcow2(dir.resolve("preallocated.qcow2"), "2M", "preallocation=metadata");
        Qemu.io(preallocated, "qcow2", "write -P 0x51 1M 4k");
        SOURCES.put("metadata-preallocated qcow2", preallocated);

        Path v2 = Qemu.createQcow2(dir.resolve("v2.qcow2"), "1M", "compat=0.10");
        Qemu.io(v2, "qcow2", "write -P 0x61 0 4k");
        SOURCES.put("compat 0.10 qcow2", v2);

        Path bitmaps = Qemu.createQcow2(dir.resolve("bitmaps.qcow2"), "1G");
        Qemu.io(bitmaps, "qcow2", "write -P 0x71 0 64k");
        Qemu.run("qemu-img", "bitmap", "--add", bitmaps.toString(), "b0");
        Qemu.run("qemu-img", "bitmap", "--add", "-g", "512", bitmaps.toString(), "fine-grained-with-a-longer-name");
        Qemu.run("qemu-img", "bitmap", "--add", "--disable", "-g", "2M", bitmaps.toString(), "coarse");
        SOURCES.put("qcow2 with bitmaps", bitmaps);
    }

    @Test
    void sizesWithoutSourceMatchQemuImg() {
        Qemu.require("qemu-img");
        List<String> sizes = List.of("0", "1", "511", "512", "65535", "65537", "1073741825", "1T", "16T");
        for (String size : sizes) {
            for (String options : OPTIONS) {
                List<String> command = command(options);
                command.addAll(List.of("--size", size));
                Qcow2OptionsParser.Parsed parsed = Qcow2OptionsParser.parse(options);
                long bytes = QemuOptionValues.size("size", size);
                String expected;
                try {
                    expected = Qemu.run(command);
                } catch (IllegalStateException refused) {
                    assertThat(refused.getMessage()).as("%s", command).contains("The image size is too large");
                    assertThatThrownBy(() -> Qcow2Measure.ofSize(bytes, parsed.options(), parsed.preallocation()))
                            .as("%s", command).isInstanceOf(IllegalArgumentException.class)
                            .hasMessage("The image size is too large (try using a larger cluster size)");
                    continue;
                }
                assertThat(Qcow2Measure.ofSize(bytes, parsed.options(), parsed.preallocation())).as("%s", command)
                        .isEqualTo(qemus(expected));
            }
        }
    }

    @Test
    void largestSizesPerClusterSizeAreQemuImgs() {
        Qemu.require("qemu-img");
        // the L1 limit's edge: 2^22 L2 tables, and one byte more
        for (int clusterBits = 9; clusterBits <= 21; clusterBits += 4) {
            long clusterSize = 1L << clusterBits;
            long largest = (32L << 20) / 8 * (clusterSize / 8) * clusterSize;
            for (long size : new long[] {largest, largest + 1}) {
                Qcow2Options options = Qcow2Options.builder().clusterSize((int) clusterSize).build();
                List<String> command = command("cluster_size=" + clusterSize);
                command.addAll(List.of("--size", Long.toString(size)));
                if (size == largest) {
                    assertThat(Qcow2Measure.ofSize(size, options)).as("%s", command)
                            .isEqualTo(qemus(Qemu.run(command)));
                } else {
                    assertThat(Qemu.runForFailure(command.toArray(String[]::new)))
                            .contains("The image size is too large");
                    assertThatThrownBy(() -> Qcow2Measure.ofSize(size, options))
                            .isInstanceOf(IllegalArgumentException.class);
                }
            }
        }
    }

    @Test
    void sourcesMatchQemuImg() throws IOException {
        Qemu.require("qemu-img");
        for (Map.Entry<String, Path> source : SOURCES.entrySet()) {
            List<String> options = new ArrayList<>(OPTIONS);
            options.add("backing_file=anything.qcow2");
            try (Image image = Images.open(source.getValue())) {
                for (String option : options) {
                    List<String> command = command(option);
                    command.add(source.getValue().toString());
                    Qcow2OptionsParser.Parsed parsed = Qcow2OptionsParser.parse(option);
                    assertThat(Qcow2Measure.of(image, parsed.options(), parsed.preallocation()))
                            .as("%s: %s", source.getKey(), command).isEqualTo(qemus(Qemu.run(command)));
                }
            }
        }
    }

    @Test
    void rawTargetIsTheDiskInWholeSectorsAsQemuImgSays() throws IOException {
        Qemu.require("qemu-img");
        for (String size : List.of("0", "1", "512", "1000", "16T")) {
            assertThat(Qcow2Measure.rawOfSize(QemuOptionValues.size("size", size)))
                    .isEqualTo(qemus(Qemu.run("qemu-img", "measure", "--output=json", "-O", "raw", "--size", size)));
        }
        for (Path source : SOURCES.values()) {
            try (Image image = Images.open(source)) {
                assertThat(Qcow2Measure.raw(image)).as("%s", source).isEqualTo(
                        qemus(Qemu.run("qemu-img", "measure", "--output=json", "-O", "raw", source.toString())));
            }
        }
    }

    @Test
    void countsEveryClusterTouchedByDataOnceWithoutQemu() throws IOException {
        // 64 KiB clusters: data in clusters 0 (twice), 2 and 3 (one run across their boundary), and 5's last byte
        MemoryImage image = MemoryImage.builder(6L << 16).data(100, 10).data(5000, 10).data((3L << 16) - 1, 2)
                .data((6L << 16) - 1, 1).zero(1L << 16, 1L << 16).build();
        Measurement measured = Qcow2Measure.of(image, Qcow2Options.defaults());
        Measurement empty = Qcow2Measure.ofSize(6L << 16, Qcow2Options.defaults());
        assertThat(measured.required()).isEqualTo(empty.required() + 4 * (1L << 16));
        assertThat(measured.fullyAllocated()).isEqualTo(empty.fullyAllocated())
                // a header cluster, one L2 table, one L1 cluster, a refcount block and table, six data clusters
                .isEqualTo(11L << 16);
        assertThat(measured.bitmaps()).isEmpty();
    }

    @Test
    void refcountMetadataIsTheFixedPoint() {
        // 64 KiB clusters, 16-bit refcounts: one block counts 32768 clusters, one table cluster 8192 blocks
        assertThat(Qcow2Measure.refcountMetadataSize(1, 65536, 4)).isEqualTo(2 * 65536);
        assertThat(Qcow2Measure.refcountMetadataSize(32766, 65536, 4)).isEqualTo(2 * 65536);
        assertThat(Qcow2Measure.refcountMetadataSize(32767, 65536, 4)).isEqualTo(3 * 65536);
        // 1-bit refcounts in 512-byte clusters: 4096 clusters a block, 64 blocks a table cluster
        assertThat(Qcow2Measure.refcountMetadataSize(4096 * 64, 512, 0)).isEqualTo((65 + 2) * 512L);
    }

    @Test
    void refusesNegativeSizes() {
        assertThatThrownBy(() -> Qcow2Measure.ofSize(-1, Qcow2Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Image size must be less than 8 EiB!");
        assertThatThrownBy(() -> Qcow2Measure.rawOfSize(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> command(String options) {
        List<String> command = new ArrayList<>(List.of("qemu-img", "measure", "--output=json", "-O", "qcow2"));
        if (!options.isEmpty()) {
            command.addAll(List.of("-o", options));
        }
        return command;
    }

    /** qemu-img's JSON as a measurement. */
    static Measurement qemus(String json) {
        Map<String, Long> fields = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            fields.put(m.group(1), Long.parseLong(m.group(2)));
        }
        assertThat(fields).containsKeys("required", "fully-allocated");
        return new Measurement(fields.get("required"), fields.get("fully-allocated"),
                fields.containsKey("bitmaps") ? OptionalLong.of(fields.get("bitmaps")) : OptionalLong.empty());
    }
}
