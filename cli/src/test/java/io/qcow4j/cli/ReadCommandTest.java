package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.Qemu;

class ReadCommandTest {

    @TempDir
    Path dir;

    @Test
    void wholeSampleEqualsQemuImgConvert() throws Exception {
        Qemu.require("qemu-img");
        byte[] expected = Files.readAllBytes(Qemu.toRaw(Cli.SAMPLE, dir.resolve("sample.raw")));
        Cli.Result result = Cli.run("read", Cli.SAMPLE.toString());
        assertThat(result.exit()).isZero();
        assertThat(result.stderr()).isEmpty();
        assertThat(Arrays.equals(result.stdout(), expected)).as("same bytes as qemu-img convert").isTrue();

        // an odd buffer size, so that reads straddle clusters and compressed runs
        Cli.Result odd = Cli.run("read", "--buffer-size", "1000", "--offset", "3M", "--length", "3M",
                Cli.SAMPLE.toString());
        assertThat(odd.exit()).isZero();
        assertThat(Arrays.equals(odd.stdout(), Arrays.copyOfRange(expected, 3 << 20, 6 << 20))).isTrue();

        // a cache of one L2 table: every cluster of another table evicts it
        Cli.Result smallCache = Cli.run("read", "--l2-cache-size", "16K", "-f", "qcow2", Cli.SAMPLE.toString());
        assertThat(smallCache.exit()).isZero();
        assertThat(Arrays.equals(smallCache.stdout(), expected)).isTrue();
    }

    @Test
    void sampleShowsEachLayer() {
        assertThat(text("--length", "18", Cli.SAMPLE)).isEqualTo("qcow4j sample disk");
        assertThat(text("--length", "30", Cli.SAMPLE_BASE)).isEqualTo("qcow4j sample disk, base layer");
        // deflate-compressed text of the base, then the overlay's zstd-compressed lines over it
        assertThat(text("--offset", "4M", "--length", "15", Cli.SAMPLE)).isEqualTo("base line 00000");
        assertThat(text("--offset", "4352K", "--length", "17", Cli.SAMPLE)).isEqualTo("overlay line 0000");
        assertThat(text("--offset", "16M", "--length", "21", Cli.SAMPLE)).isEqualTo("plain overlay cluster");
        // the base's 0x5a pattern, partly zeroed by the overlay
        assertThat(Cli.run("read", "--offset", "1M", "--length", "64K", Cli.SAMPLE.toString()).stdout())
                .containsOnly(0);
        assertThat(Cli.run("read", "--offset", "1088K", "--length", "64K", Cli.SAMPLE.toString()).stdout())
                .containsOnly(0x5a);
    }

    @Test
    void readsUpToTheEndAndNoFurther() {
        String sample = Cli.SAMPLE.toString();
        Cli.Result tail = Cli.run("read", "--offset", String.valueOf((64 << 20) - 100), sample);
        assertThat(tail.exit()).isZero();
        assertThat(tail.stdout()).hasSize(100);
        assertThat(Cli.run("read", "--offset", "64M", sample).stdout()).isEmpty();

        Cli.Result past = Cli.run("read", "--offset", "64M", "--length", "1", sample);
        assertThat(past.exit()).isEqualTo(1);
        assertThat(past.stdout()).isEmpty();
        assertThat(past.stderr()).isEqualTo("qcow2: " + sample
                + ": cannot read 1 bytes at offset 67108864: the disk ends at 67108864\n");
        Cli.Result beyond = Cli.run("read", "--offset", "65M", sample);
        assertThat(beyond.exit()).isEqualTo(1);
        assertThat(beyond.stderr()).isEqualTo("qcow2: " + sample
                + ": offset 68157440 is past the end of the 67108864-byte disk\n");
    }

    @Test
    void aClosedPipeEndsQuietlyAsForCat() {
        Cli.Result closed = Cli.runFailingOutput(65536, "Broken pipe", "read", "--buffer-size", "4K",
                Cli.SAMPLE.toString());
        assertThat(closed.exit()).isEqualTo(ImageCommand.BROKEN_PIPE);
        assertThat(closed.stderr()).isEmpty();

        Cli.Result full = Cli.runFailingOutput(0, "No space left on device", "read", Cli.SAMPLE.toString());
        assertThat(full.exit()).isEqualTo(1);
        assertThat(full.stderr()).isEqualTo("qcow2: standard output: No space left on device\n");
    }

    @Test
    void badNumbersAreUsageErrors() {
        for (String[] args : new String[][] {
                {"read", "--buffer-size", "0", "x"},
                {"read", "--offset", "12Q", "x"},
                {"read", "--length", "-1", "x"},
                {"read"}}) {
            Cli.Result result = Cli.run(args);
            assertThat(result.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(result.stderr()).startsWith("qcow2: ").contains("Try 'qcow2 read --help'");
        }
    }

    private static String text(String option, String value, Path image) {
        Cli.Result result = Cli.run("read", option, value, image.toString());
        assertThat(result.exit()).isZero();
        return new String(result.stdout(), StandardCharsets.UTF_8);
    }

    private static String text(String option1, String value1, String option2, String value2, Path image) {
        Cli.Result result = Cli.run("read", option1, value1, option2, value2, image.toString());
        assertThat(result.exit()).isZero();
        return new String(result.stdout(), StandardCharsets.UTF_8);
    }
}
