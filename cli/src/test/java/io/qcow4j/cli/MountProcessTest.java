package io.qcow4j.cli;

import static io.qcow4j.testing.FuseTesting.assertNotMounted;
import static io.qcow4j.testing.FuseTesting.requireFuse;
import static io.qcow4j.testing.FuseTesting.unmountQuietly;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.OpenOptions;
import io.qcow4j.fuse.MountException;
import io.qcow4j.fuse.MountOptions;
import io.qcow4j.testing.ImageMatrix;
import io.qcow4j.testing.Qemu;

/** The {@code mount} command end to end: the background process, the foreground one, and its failures. */
class MountProcessTest {

    @TempDir
    Path dir;
    Path mountPoint;
    Path image;

    @BeforeEach
    void setUp() throws IOException {
        requireFuse();
        mountPoint = Files.createDirectory(dir.resolve("mnt"));
        byte[] bytes = new byte[3 << 20];
        new Random(7).nextBytes(bytes);
        image = Files.write(dir.resolve("disk.img"), bytes);
    }

    private static Cli.Result launch(String... args) {
        List<String> command = new ArrayList<>(List.of("mount"));
        command.addAll(List.of(args));
        return Cli.run(command.toArray(String[]::new));
    }

    @Test
    void returnsOnceTheFileIsReadableAndFusermountEndsTheBackgroundProcess() throws Exception {
        try {
            Cli.Result result = launch("--format", "raw", image.toString(), mountPoint.toString());
            assertThat(result.stderr()).isEmpty();
            assertThat(result.exit()).isZero();
            Path file = mountPoint.resolve("disk.raw");
            Qemu.run("cmp", image.toString(), file.toString());
            ProcessHandle server = server(mountPoint).orElseThrow();
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
        assertThat(server(mountPoint)).isEmpty();
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
            Cli.Result first = launch("--format", "raw", link.toString(), mountPoint.toString());
            assertThat(first.exit()).as(first.stderr()).isZero();
            assertThat(Files.getLastModifiedTime(mountPoint.resolve("link.raw")))
                    .isEqualTo(Files.getLastModifiedTime(image));
            ProcessHandle server = server(mountPoint).orElseThrow();
            Qemu.run("kill", "-KILL", Long.toString(server.pid()));
            server.onExit().get(30, TimeUnit.SECONDS);

            Cli.Result again = launch("--format", "raw", image.toString(), mountPoint.toString());
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.stderr()).isEqualTo("qcow2: mount point " + mountPoint + " holds a FUSE mount whose"
                    + " server is gone (Transport endpoint is not connected): unmount it first, with fusermount -u "
                    + mountPoint + "\n");
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }

    @Test
    void libfusesOwnMessageReplacesItsPointerAboveInABackgroundMountsFailure() {
        String failure = "libfuse could not mount on /mnt/x" + MountException.LIBFUSE_MESSAGE_ABOVE;
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
        Cli.Result background = launch(image.toString(), missing.toString());
        assertThat(background.exit()).isEqualTo(1);
        assertThat(background.stderr()).isEqualTo("qcow2: mount point " + missing + " does not exist\n");
        assertThat(launch("-f", image.toString(), missing.toString()).exit()).isEqualTo(1);
    }

    @Test
    void aMountPointThatIsNotADirectoryFailsWithOneLine() {
        Cli.Result result = launch(image.toString(), image.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.stderr()).isEqualTo("qcow2: mount point " + image + " is not a directory\n");
        assertNotMounted(mountPoint);
    }

    /** The command opens the image before anything else: its failure is worded as in every other command. */
    @Test
    void aMissingImageFailsWithOneLine() {
        Path missing = dir.resolve("nothing.qcow2");
        Cli.Result result = launch(missing.toString(), mountPoint.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.stderr()).isEqualTo("qcow2: " + missing + ": No such file or directory\n");
        assertNotMounted(mountPoint);
    }

    /** The command opens the image first, so this child's command line is one the command would not make. */
    @Test
    void theBackgroundProcessPassesItsErrorThroughAndMountsNothing() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        MountRequest request = new MountRequest(image, mountPoint, OpenOptions.defaults(), MountOptions.defaults(),
                false);
        int code = new BackgroundMount(request, List.of("mount", "--format=nosuch", "--foreground",
                MountCommand.REPORT_READY, "--", image.toAbsolutePath().toString(), mountPoint.toString()),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run();
        String errText = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(1);
        assertThat(errText).startsWith("qcow2: cannot open " + image.toAbsolutePath()
                + ": unknown image format 'nosuch'").endsWith("\n");
        assertThat(errText.lines()).hasSize(1);
        assertNotMounted(mountPoint);
    }

    @Test
    void aUsageErrorExitsTwo() {
        Cli.Result result = launch(image.toString());
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.stderr()).isEqualTo("qcow2: Missing required parameter: 'MOUNTPOINT'\n"
                + "Try 'qcow2 mount --help' for more information.\n");
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

    @Test
    void theBackgroundCommandMountsAQcow2Image() throws Exception {
        Path overlay = ImageMatrix.compressedChain(dir);
        Path reference = Qemu.toRaw(overlay, dir.resolve("reference.raw"));
        try {
            Cli.Result result = launch("--name", "chain.raw", overlay.toString(), mountPoint.toString());
            assertThat(result.exit()).as(result.stderr()).isZero();
            ProcessHandle server = server(mountPoint).orElseThrow();
            Qemu.run("cmp", reference.toString(), mountPoint.resolve("chain.raw").toString());
            Qemu.run("umount", mountPoint.toString());
            server.onExit().get(30, TimeUnit.SECONDS);
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }

    @Test
    void safeModeRefusesABackingFileWithOneLine() {
        Path overlay = ImageMatrix.compressedChain(dir);
        Cli.Result result = launch("--safe", overlay.toString(), mountPoint.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.stderr().lines()).hasSize(1);
        assertThat(result.stderr()).startsWith("qcow2: " + overlay.toAbsolutePath() + ": ");
        assertNotMounted(mountPoint);
    }

    /** The process serving {@code mountPoint} in the background, found by its command line. */
    private static Optional<ProcessHandle> server(Path mountPoint) {
        String point = mountPoint.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(List::of)
                        .map(args -> args.contains(Qcow2Command.class.getName()) && args.contains("mount")
                                && args.contains(point))
                        .orElse(false))
                .findFirst();
    }

    /** The session id, field 6 of /proc/PID/stat (after the parenthesised command name). */
    private static long sessionOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3]);
    }

    private Process foreground() throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), Qcow2Command.class.getName(), "mount", "-f", "--format",
                "raw", MountCommand.REPORT_READY, image.toString(), mountPoint.toString()));
        return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String readyLine(Process process) throws IOException {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }
}
