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
