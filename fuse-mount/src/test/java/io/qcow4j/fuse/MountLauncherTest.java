package io.qcow4j.fuse;

import static io.qcow4j.fuse.FuseTesting.assertNotMounted;
import static io.qcow4j.fuse.FuseTesting.requireFuse;
import static io.qcow4j.fuse.FuseTesting.unmountQuietly;
import static org.assertj.core.api.Assertions.assertThat;

import io.qcow4j.testing.Qemu;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code mount} command end to end: the background process, the foreground one, and its failures. */
class MountLauncherTest {

    @TempDir
    Path dir;
    Path mountPoint;
    Path image;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException {
        requireFuse();
        mountPoint = Files.createDirectory(dir.resolve("mnt"));
        byte[] bytes = new byte[3 << 20];
        new Random(7).nextBytes(bytes);
        image = Files.write(dir.resolve("disk.img"), bytes);
    }

    private int launch(String... args) {
        return MountLauncher.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errText() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void returnsOnceTheFileIsReadableAndFusermountEndsTheBackgroundProcess() throws Exception {
        try {
            int code = launch("--format", "raw", image.toString(), mountPoint.toString());
            assertThat(errText()).isEmpty();
            assertThat(code).isZero();
            Path file = mountPoint.resolve("disk.raw");
            Qemu.run("cmp", image.toString(), file.toString());
            ProcessHandle server = FuseTesting.server(mountPoint).orElseThrow();
            assertThat(server.isAlive()).isTrue();
            // detached: its own session, so the terminal's hang-up and Ctrl-C do not reach it
            assertThat(sessionOf(server.pid())).isEqualTo(server.pid()).isNotEqualTo(sessionOf(ProcessHandle.current()
                    .pid()));

            Qemu.run("fusermount", "-u", mountPoint.toString());
            server.onExit().get(30, TimeUnit.SECONDS);
            assertThat(server.isAlive()).isFalse();
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
        assertThat(FuseTesting.server(mountPoint)).isEmpty();
    }

    /**
     * A server killed outright leaves its mount behind, answering ENOTCONN; mounting there again says so and what to
     * do, not that the mount point does not exist. The raw file shows the image's owner and times, through a link.
     */
    @Test
    void aMountWhoseServerWasKilledIsNamedAsSuchAndALinkedImageShowsTheImagesTimes() throws Exception {
        Qemu.run("touch", "-d", "2001-02-03 04:05:06", image.toString());
        Path link = Files.createSymbolicLink(dir.resolve("link.img"), image.getFileName());
        Qemu.run("touch", "-h", "-d", "2011-11-11 11:11:11", link.toString());
        try {
            assertThat(launch("--format", "raw", link.toString(), mountPoint.toString())).as(errText()).isZero();
            assertThat(Files.getLastModifiedTime(mountPoint.resolve("link.raw")))
                    .isEqualTo(Files.getLastModifiedTime(image));
            ProcessHandle server = FuseTesting.server(mountPoint).orElseThrow();
            Qemu.run("kill", "-KILL", Long.toString(server.pid()));
            server.onExit().get(30, TimeUnit.SECONDS);

            assertThat(launch("--format", "raw", image.toString(), mountPoint.toString())).isEqualTo(1);
            assertThat(errText()).isEqualTo("mount-qcow2: mount point " + mountPoint + " holds a FUSE mount whose"
                    + " server is gone (Transport endpoint is not connected): unmount it first, with fusermount -u "
                    + mountPoint + "\n");
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }

    @Test
    void libfusesOwnMessageReplacesItsPointerAboveInABackgroundMountsFailure() {
        String failure = "libfuse could not mount on /mnt/x" + FuseLoop.LIBFUSE_MESSAGE_ABOVE;
        assertThat(BackgroundMount.withLibfuseMessage(failure, List.of("fusermount: option allow_other only allowed"
                + " if 'user_allow_other' is set in /etc/fuse.conf", "")))
                .isEqualTo("libfuse could not mount on /mnt/x: fusermount: option allow_other only allowed if"
                        + " 'user_allow_other' is set in /etc/fuse.conf");
        assertThat(BackgroundMount.withLibfuseMessage(failure, List.of())).isEqualTo(failure);
        assertThat(BackgroundMount.withLibfuseMessage("cannot open x: no such file", List.of("noise")))
                .isEqualTo("cannot open x: no such file");
    }

    @Test
    void aMissingMountPointFailsWithOneLineAndExitCodeOne() {
        Path missing = dir.resolve("missing");
        assertThat(launch(image.toString(), missing.toString())).isEqualTo(1);
        assertThat(errText()).isEqualTo("mount-qcow2: mount point " + missing + " does not exist\n");
        assertThat(launch("-f", image.toString(), missing.toString())).isEqualTo(1);
    }

    @Test
    void aMountPointThatIsNotADirectoryFailsWithOneLine() {
        assertThat(launch(image.toString(), image.toString())).isEqualTo(1);
        assertThat(errText()).isEqualTo("mount-qcow2: mount point " + image + " is not a directory\n");
        assertNotMounted(mountPoint);
    }

    @Test
    void aMissingImageFailsWithOneLine() {
        Path missing = dir.resolve("nothing.qcow2");
        assertThat(launch(missing.toString(), mountPoint.toString())).isEqualTo(1);
        assertThat(errText()).isEqualTo("mount-qcow2: cannot open " + missing + ": no such file\n");
        assertNotMounted(mountPoint);
    }

    @Test
    void theBackgroundProcessPassesItsErrorThroughAndMountsNothing() {
        assertThat(launch("--format", "nosuch", image.toString(), mountPoint.toString())).isEqualTo(1);
        assertThat(errText()).startsWith("mount-qcow2: cannot open " + image.toAbsolutePath()
                + ": unknown image format 'nosuch'").endsWith("\n");
        assertThat(errText().lines()).hasSize(1);
        assertNotMounted(mountPoint);
    }

    @Test
    void aUsageErrorExitsTwo() {
        assertThat(launch(image.toString())).isEqualTo(2);
        assertThat(errText()).startsWith("mount-qcow2: expected IMAGE and MOUNTPOINT, got 1 argument(s)\nUsage:");
    }

    @Test
    void theForegroundProcessUnmountsOnSigterm() throws Exception {
        Process process = foreground();
        try {
            assertThat(readyLine(process)).isEqualTo("ready");
            assertThat(Files.mismatch(image, mountPoint.resolve("disk.raw"))).isEqualTo(-1);
            process.destroy(); // SIGTERM
            assertThat(process.onExit().get(30, TimeUnit.SECONDS).exitValue()).isEqualTo(143);
        } finally {
            process.destroyForcibly();
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }

    @Test
    void theForegroundProcessExitsZeroWhenUnmounted() throws Exception {
        Process process = foreground();
        try {
            assertThat(readyLine(process)).isEqualTo("ready");
            Qemu.run("umount", mountPoint.toString());
            assertThat(process.onExit().get(30, TimeUnit.SECONDS).exitValue()).isZero();
        } finally {
            process.destroyForcibly();
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }

    /** The session id, field 6 of /proc/PID/stat (after the parenthesised command name). */
    private static long sessionOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3]);
    }

    private Process foreground() throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), MountMain.class.getName(), "-f", "--format", "raw",
                MountArguments.REPORT_READY, image.toString(), mountPoint.toString()));
        return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String readyLine(Process process) throws IOException {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }
}
