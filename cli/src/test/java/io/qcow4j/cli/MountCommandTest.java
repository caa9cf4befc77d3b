package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.Qemu;

class MountCommandTest {

    @TempDir
    Path dir;

    @Test
    void mountsTheSampleAsARawFileUntilUnmounted() throws Exception {
        Qemu.require("qemu-img");
        Qemu.require("fusermount");
        Path expected = Qemu.toRaw(Cli.SAMPLE, dir.resolve("expected.raw"));
        Path mountPoint = Files.createDirectory(dir.resolve("mnt"));
        Cli.Result result = Cli.run("mount", "--name", "disk.raw", Cli.SAMPLE.toString(), mountPoint.toString());
        try {
            assertThat(result.exit()).as(result.stderr()).isZero();
            Path served = mountPoint.resolve("disk.raw");
            assertThat(Files.size(served)).isEqualTo(64L << 20);
            assertThat(Files.mismatch(served, expected)).isEqualTo(-1);
        } finally {
            unmountIfMounted(mountPoint);
        }
    }

    /** Cleans up without hiding the test's own failure when the mount never happened. */
    private static void unmountIfMounted(Path mountPoint) throws Exception {
        if (Files.readString(Path.of("/proc/self/mounts")).contains(" " + mountPoint + " ")) {
            Qemu.run("fusermount", "-u", "-z", mountPoint.toString());
        }
    }

    @Test
    void dashFKeepsTheMountInTheForegroundAsInOtherFuseTools() {
        Cli.Result help = Cli.run("mount", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("-f, --foreground").contains("--format=FMT").doesNotContain("-f, --format");
        assertThat(Cli.run("info", "--help").out()).contains("-f, --format=FMT");
    }

    @Test
    void aMissingMountPointIsOneLine() {
        Path nowhere = dir.resolve("nowhere");
        Cli.Result result = Cli.run("mount", Cli.SAMPLE.toString(), nowhere.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.stderr()).startsWith("qcow2: ").contains(nowhere.toString()).hasLineCount(1)
                .doesNotContain("mount-qcow2");
    }

    @Test
    void aDamagedImageFailsBeforeMounting() throws Exception {
        Path notQcow2 = Files.write(dir.resolve("bad.qcow2"), new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 9});
        Cli.Result result = Cli.run("mount", notQcow2.toString(), dir.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.stderr()).startsWith("qcow2: " + notQcow2 + ": ").hasLineCount(1);
    }
}
