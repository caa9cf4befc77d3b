package io.qcow4j.qcow2.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.nativeaccess.FileAllocation;
import io.qcow4j.testing.Qemu;

class Qcow2WriterCreateTest {

    /** The fields of {@code qemu-img info --output=json} a new image's options decide. */
    private static final List<String> FIELDS = List.of("virtual-size", "cluster-size", "backing-filename",
            "backing-filename-format", "compat", "compression-type", "lazy-refcounts", "refcount-bits", "extended-l2",
            "corrupt", "dirty-flag");

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "cluster_size=512", "cluster_size=2M", "compat=0.10", "compat=0.10,cluster_size=4096",
        "compression_type=zstd", "extended_l2=on", "extended_l2=on,cluster_size=16k", "lazy_refcounts=on",
        "refcount_bits=1", "refcount_bits=64", "refcount_bits=8,cluster_size=512",
        "compression_type=zstd,extended_l2=on,lazy_refcounts=on,cluster_size=1M"})
    void matchesQemuImgCreate(String options) throws IOException {
        for (String size : List.of("0", "1", "10485760", "1000000007", "3000000000000")) {
            Path ours = dir.resolve("ours.qcow2");
            Path theirs = dir.resolve("theirs.qcow2");
            List<String> cmd = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
            if (!options.isEmpty()) {
                cmd.addAll(List.of("-o", options));
            }
            cmd.addAll(List.of(theirs.toString(), size));
            try {
                Qcow2Writer.create(ours, Long.parseLong(size), Qcow2OptionsParser.parse(options).options());
            } catch (IllegalArgumentException refused) {
                assertThat(Qemu.runForFailure(cmd.toArray(String[]::new))).contains(refused.getMessage());
                continue;
            }
            Qemu.run(cmd);
            assertThat(info(ours)).as(options + " " + size).isEqualTo(info(theirs));
            assertClean(ours);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"compat=0.10,extended_l2=on", "compat=0.10,lazy_refcounts=on",
        "compat=0.10,refcount_bits=8", "compat=0.10,compression_type=zstd", "extended_l2=on,cluster_size=8k",
        "refcount_bits=3", "refcount_bits=128", "compat=2", "compression_type=lz4", "cluster_size=3000",
        "cluster_size=4M", "lazy_refcounts=maybe", "foo=bar"})
    void refusesWhatQemuImgRefusesWithItsMessage(String options) {
        Path image = dir.resolve("refused.qcow2");
        String theirs = Qemu.runForFailure("qemu-img", "create", "-q", "-f", "qcow2", "-o", options,
                image.toString(), "1M");
        assertThatThrownBy(() -> Qcow2Writer.create(image, 1 << 20, Qcow2OptionsParser.parse(options).options()))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat("qemu-img: " + image + ": " + e.getMessage() + "\n").isEqualTo(theirs));
        assertThat(image).doesNotExist();
    }

    @Test
    void overlayTakesItsSizeFromTheBackingFileAndStoresTheNameAsGiven() throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Qemu.createQcow2(dir.resolve("sub/base.qcow2"), "12345678");
        Path overlay = dir.resolve("sub/overlay.qcow2");
        long size = Qcow2Writer.create(overlay, -1,
                Qcow2Options.builder().backingFile("base.qcow2").backingFormat("qcow2").build());
        assertThat(size).as("rounded up to whole sectors").isEqualTo(12345856);
        Path theirs = dir.resolve("sub/theirs.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", theirs.toString());
        assertThat(info(overlay)).isEqualTo(info(theirs)).contains("\"backing-filename\": \"base.qcow2\"");
        assertClean(overlay);
    }

    /**
     * Every preallocation mode over layouts whose tables differ (cluster sizes, both compats, extended L2, narrow
     * refcounts, a disk past one L2 table): the same image as qemu-img's but for where the clusters are (qemu-img map
     * with the offsets left out, qemu-img compare), checked clean, and the data's space reserved
     * (falloc, full) or left to holes (metadata).
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "cluster_size=512", "cluster_size=2M", "compat=0.10", "extended_l2=on",
        "extended_l2=on,cluster_size=16k", "refcount_bits=1,cluster_size=4k"})
    void preallocatesAsQemuImg(String layout) throws IOException {
        for (Qcow2OptionsParser.Preallocation mode : List.of(Qcow2OptionsParser.Preallocation.METADATA,
                Qcow2OptionsParser.Preallocation.FALLOC, Qcow2OptionsParser.Preallocation.FULL)) {
            String options = (layout.isEmpty() ? "" : layout + ",") + "preallocation=" + mode.optionName();
            // whole clusters: qemu-img ends its file inside a last partial cluster, whose tail its map then calls data
            String size = layout.contains("cluster_size=512") ? "307200" : "73400320";
            Path ours = dir.resolve("ours.qcow2");
            Path theirs = dir.resolve("theirs.qcow2");
            Qcow2OptionsParser.Parsed parsed = Qcow2OptionsParser.parse(options);
            assertThat(parsed.preallocation()).isEqualTo(mode);
            Qcow2Writer.create(ours, Long.parseLong(size), parsed.options(), mode);
            Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", options, theirs.toString(), size);
            String as = options;
            assertThat(info(ours)).as(as).isEqualTo(info(theirs));
            boolean small = layout.contains("cluster_size=512");
            assertThat(mapWithoutOffsets(ours, small)).as(as).isEqualTo(mapWithoutOffsets(theirs, small));
            assertThat(Qemu.run("qemu-img", "compare", ours.toString(), theirs.toString())).as(as)
                    .contains("Images are identical");
            assertClean(ours);
            long allocated = FileAllocation.allocatedBytes(ours);
            if (mode.allocatesData()) {
                assertThat(allocated).as(as).isGreaterThanOrEqualTo(Long.parseLong(size));
            } else {
                assertThat(allocated).as(as).isLessThan(Long.parseLong(size) / 4);
            }
        }
    }

    @Test
    void preallocationOverABackingFileNeedsExtendedL2AsInQemu() throws IOException {
        Qemu.createQcow2(dir.resolve("base.qcow2"), "1M");
        Qcow2Options.Builder overBase = Qcow2Options.builder().backingFile("base.qcow2").backingFormat("qcow2");
        Path overlay = dir.resolve("overlay.qcow2");
        assertThatThrownBy(() -> Qcow2Writer.create(overlay, -1, overBase.build(),
                Qcow2OptionsParser.Preallocation.METADATA)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Backing file and preallocation can only be used at the same time if extended_l2 is on");
        assertThat(overlay).doesNotExist();
        Qcow2Writer.create(overlay, -1, overBase.extendedL2(true).build(), Qcow2OptionsParser.Preallocation.FALLOC);
        Path theirs = dir.resolve("theirs.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", "-o",
                "extended_l2=on,preallocation=falloc", theirs.toString());
        // the subclusters read as the backing file, their clusters already in place
        assertThat(mapWithoutOffsets(overlay, false)).isEqualTo(mapWithoutOffsets(theirs, false))
                .contains("\"depth\": 1");
        assertClean(overlay);
    }

    /**
     * {@code qemu-img map --output=json} as runs of what the guest sees: each entry's host offset left out and
     * neighbours alike joined (where the clusters lie, which the layouts choose differently, splits qemu-img's entries).
     * With clusters below 4 KiB ({@code smallClusters}) also without {@code zero}: whether a data cluster in a hole reads as one depends on whether
     * it shares a page of the file with a table.
     */
    private static String mapWithoutOffsets(Path image, boolean smallClusters) {
        String json = Qemu.run("qemu-img", "map", "--output=json", image.toString());
        Matcher entry = Pattern.compile("\"start\": (\\d+), \"length\": (\\d+), (\"depth\": .*?\"data\": \\w+)")
                .matcher(json);
        StringBuilder runs = new StringBuilder();
        String last = null;
        long start = 0;
        long end = 0;
        while (entry.find()) {
            String kind = smallClusters ? entry.group(3).replaceAll("\"zero\": \\w+, ", "") : entry.group(3);
            if (!kind.equals(last)) {
                if (last != null) {
                    runs.append(start).append('+').append(end - start).append(' ').append(last).append('\n');
                }
                last = kind;
                start = Long.parseLong(entry.group(1));
            }
            end = Long.parseLong(entry.group(1)) + Long.parseLong(entry.group(2));
        }
        return runs.append(start).append('+').append(end - start).append(' ').append(last).append('\n').toString();
    }

    @Test
    void uncheckedCreateLeavesTheBackingFileUnopened() throws IOException {
        // as qemu-img create -u: a backing file that does not exist yet, the size given
        Qcow2Options overBase = Qcow2Options.builder().backingFile("later.qcow2").backingFormat("qcow2").build();
        Path overlay = dir.resolve("overlay.qcow2");
        assertThatThrownBy(() -> Qcow2Writer.create(overlay, 1 << 20, overBase)).isInstanceOf(IOException.class)
                .hasMessageContaining("later.qcow2");
        assertThat(overlay).doesNotExist();
        assertThat(Qcow2Writer.createUnchecked(overlay, (1 << 20) + 1, overBase)).isEqualTo((1 << 20) + 512);
        Path theirs = dir.resolve("theirs.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", "later.qcow2", "-F", "qcow2",
                theirs.toString(), String.valueOf((1 << 20) + 1));
        assertThat(info(overlay)).isEqualTo(info(theirs)).contains("\"backing-filename\": \"later.qcow2\"");
        // a backing file it never opens gives no size
        assertThatThrownBy(() -> Qcow2Writer.createUnchecked(dir.resolve("none.qcow2"), -1, overBase))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Image creation needs a size parameter");
        // once the backing file exists, the overlay is a valid image over it
        Qemu.createQcow2(dir.resolve("later.qcow2"), "1M");
        assertClean(overlay);
    }

    @Test
    void rawBackingFileWithCompat010() throws IOException {
        Files.write(dir.resolve("base.raw"), new byte[70000]);
        Path overlay = dir.resolve("overlay.qcow2");
        Qcow2Writer.create(overlay, -1, Qcow2Options.builder().compat(Qcow2Options.Compat.V0_10)
                .backingFile("base.raw").backingFormat("raw").build());
        Path theirs = dir.resolve("theirs.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=0.10", "-b", "base.raw", "-F", "raw",
                theirs.toString());
        assertThat(info(overlay)).isEqualTo(info(theirs));
        assertClean(overlay);
    }

    @Test
    void missingBackingFileFailsAndWritesNothing() {
        Path overlay = dir.resolve("overlay.qcow2");
        assertThatThrownBy(() -> Qcow2Writer.create(overlay, 1 << 20,
                Qcow2Options.builder().backingFile("missing.qcow2").backingFormat("qcow2").build()))
                .isInstanceOf(NoSuchFileException.class);
        assertThat(overlay).doesNotExist();
    }

    @Test
    void backingFileNeedsItsFormatAndAnImageASize() {
        assertThatThrownBy(() -> Qcow2Writer.create(dir.resolve("a.qcow2"), 1,
                Qcow2Options.builder().backingFile("b.qcow2").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Backing file specified without backing format");
        assertThatThrownBy(() -> Qcow2Writer.create(dir.resolve("a.qcow2"), -1, Qcow2Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Image creation needs a size parameter");
    }

    @Test
    void neverReplacesItsOwnBackingFile() throws IOException {
        Path base = Qemu.createQcow2(dir.resolve("base.qcow2"), "1M");
        byte[] before = Files.readAllBytes(base);
        assertThatThrownBy(() -> Qcow2Writer.create(base, -1,
                Qcow2Options.builder().backingFile("./base.qcow2").backingFormat("qcow2").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Error: Trying to create an image with the same filename as the backing file");
        assertThat(Files.readAllBytes(base)).isEqualTo(before);
    }

    @Test
    void hugeSizesAreRefusedNotWrapped() {
        for (long size : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 511, 1L << 62}) {
            assertThatThrownBy(() -> Qcow2Writer.create(dir.resolve("huge.qcow2"), size, Qcow2Options.defaults()))
                    .as("%d", size).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(dir.resolve("huge.qcow2")).doesNotExist();
    }

    @Test
    void replacesAnExistingFileAsQemuImgDoes() throws IOException {
        Path image = dir.resolve("a.qcow2");
        Files.write(image, new byte[1 << 20]);
        Qcow2Writer.create(image, 4096, Qcow2Options.defaults());
        assertClean(image);
        assertThat(info(image)).contains("\"virtual-size\": 4096");
    }

    static void assertClean(Path image) {
        String check = Qemu.run("qemu-img", "check", "--output=json", image.toString());
        assertThat(check).doesNotContain("\"leaks\"").doesNotContain("\"corruptions\"")
                .contains("\"check-errors\": 0");
    }

    /** The fields of {@link #FIELDS}, one a line. */
    static String info(Path image) {
        String json = Qemu.run("qemu-img", "info", "--output=json", image.toString());
        StringBuilder fields = new StringBuilder();
        for (String field : FIELDS) {
            Matcher m = Pattern.compile("\"" + field + "\": (\"[^\"]*\"|[^,\\n]*)").matcher(json);
            fields.append('"').append(field).append("\": ").append(m.find() ? m.group(1) : "absent").append('\n');
        }
        return fields.toString();
    }
}
