package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.Qemu;

class ConvertCommandTest {

    /** The bar's last state: 100%, a full bar, all 64 MiB, a rate, nothing left. */
    private static final String FINAL_STATE =
            "(?s).*\r100% \\[#{24}\\] 64 MiB / 64 MiB, [0-9.]+ [KMGT]?i?B/s, 0:00 left *\n";

    @TempDir
    Path dir;

    @Test
    void convertsTheSampleAsQemuImgDoesAndSparse() throws Exception {
        Qemu.require("qemu-img");
        Path expected = Qemu.toRaw(Cli.SAMPLE, dir.resolve("expected.raw"));
        Path target = dir.resolve("sample.raw");
        Cli.Result result = Cli.run("convert", Cli.SAMPLE.toString(), target.toString());
        assertThat(result.exit()).isZero();
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderr()).as("no progress bar: stderr is no terminal and no -p").isEmpty();
        assertThat(Files.mismatch(target, expected)).isEqualTo(-1);
        // about 1.3 MiB of data, and what the file system rounds and preallocates around it
        assertThat(allocated(target)).as("sparse").isLessThan(8L << 20);
    }

    @Test
    void everyOptionGivesTheSameBytes() throws Exception {
        Path reference = dir.resolve("reference.raw");
        assertThat(Cli.run("convert", Cli.SAMPLE.toString(), reference.toString()).exit()).isZero();
        Path target = dir.resolve("tuned.raw");
        Cli.Result tuned = Cli.run("convert", "-m", "3", "--segment-size", "4M", "--buffer-size", "512k",
                "-S", "8K", "--sync", "-O", "raw", "-f", "qcow2", Cli.SAMPLE.toString(), target.toString());
        assertThat(tuned.exit()).isZero();
        assertThat(Files.mismatch(target, reference)).isEqualTo(-1);

        Path full = dir.resolve("full.raw");
        assertThat(Cli.run("convert", "-S", "0", Cli.SAMPLE.toString(), full.toString()).exit()).isZero();
        assertThat(Files.mismatch(full, reference)).isEqualTo(-1);
        assertThat(allocated(full)).as("-S 0 allocates everything").isGreaterThanOrEqualTo(64L << 20);

        Path existing = dir.resolve("existing.raw");
        byte[] garbage = new byte[64 << 20];
        Arrays.fill(garbage, (byte) 0xee);
        Files.write(existing, garbage);
        assertThat(Cli.run("convert", "-n", Cli.SAMPLE.toString(), existing.toString()).exit()).isZero();
        assertThat(Files.mismatch(existing, reference)).isEqualTo(-1);
    }

    @Test
    void progressBarWithDashPEndsAtItsFinalState() {
        Cli.Result result = Cli.run("convert", "-p", Cli.SAMPLE.toString(), dir.resolve("p.raw").toString());
        assertThat(result.exit()).isZero();
        assertThat(result.stderr()).matches(FINAL_STATE);
    }

    @Test
    void progressBarShowsOnATerminal() {
        Cli.Result result = Cli.run(true, "convert", Cli.SAMPLE.toString(), dir.resolve("t.raw").toString());
        assertThat(result.exit()).isZero();
        assertThat(result.stderr()).matches(FINAL_STATE);
    }

    @Test
    void badOptionsAreUsageErrors() {
        String source = Cli.SAMPLE.toString();
        String target = dir.resolve("never.raw").toString();
        for (String[] args : new String[][] {
                {"convert", "-m", "0", source, target},
                {"convert", "--buffer-size", "1000", source, target},
                {"convert", "--segment-size", "3M", source, target},
                {"convert", "-S", "12Q", source, target},
                {"convert", "-O", "vmdk", source, target},
                {"convert", "-c", source, target},
                {"convert", "-O", "qcow2", "-n", source, target},
                {"convert", source}}) {
            Cli.Result result = Cli.run(args);
            assertThat(result.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(result.stderr()).startsWith("qcow2: ").contains("Try 'qcow2 convert --help'");
        }
        assertThat(Cli.run("convert", "-m", "0", source, target).stderr()).contains("--workers must be");
        assertThat(Path.of(target)).doesNotExist();
    }

    @Test
    void targetProblemsNameTheTarget() {
        Path missingDir = dir.resolve("no/such/dir/x.raw");
        Cli.Result result = Cli.run("convert", Cli.SAMPLE.toString(), missingDir.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.stderr()).isEqualTo("qcow2: " + missingDir + ": No such file or directory\n");

        Cli.Result directory = Cli.run("convert", Cli.SAMPLE.toString(), dir.toString());
        assertThat(directory.exit()).isEqualTo(1);
        assertThat(directory.stderr()).startsWith("qcow2: " + dir + ": ").hasLineCount(1);
    }

    private static long allocated(Path file) throws Exception {
        return Long.parseLong(Qemu.run("stat", "-c", "%b", file.toString()).trim()) * 512;
    }

    @Test
    void anEmptyTargetNameIsAUsageError() {
        Cli.Result empty = Cli.run("convert", Cli.SAMPLE.toString(), "");
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.stderr()).startsWith("qcow2: DST is empty: name the file to write\n");
    }

    @Test
    void quietShowsNoProgressBarEvenOnATerminalAndForceShareIsAccepted() throws Exception {
        Path shown = dir.resolve("shown.raw");
        Cli.Result onTerminal = Cli.run(true, "convert", Cli.SAMPLE.toString(), shown.toString());
        assertThat(onTerminal.exit()).isZero();
        assertThat(onTerminal.stderr()).contains("100% [").endsWith("\n");

        Path quiet = dir.resolve("quiet.raw");
        Cli.Result quietly = Cli.run(true, "convert", "-q", "-U", Cli.SAMPLE.toString(), quiet.toString());
        assertThat(quietly.exit()).isZero();
        assertThat(quietly.stderr()).isEmpty();
        assertThat(Files.readAllBytes(quiet)).isEqualTo(Files.readAllBytes(shown));
        assertThat(Cli.run("info", "--force-share", Cli.SAMPLE.toString()).out())
                .isEqualTo(Cli.run("info", Cli.SAMPLE.toString()).out());
    }
}
