package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.Qemu;

/** Whatever goes wrong, the user sees one line {@code qcow2: <what>: <why>} and exit status 1, never a stack trace. */
class ErrorLinesTest {

    @TempDir
    Path dir;

    /** Each command's arguments before the image (and after it, for convert and mount). */
    private List<String[]> commands() {
        String target = dir.resolve("out.raw").toString();
        String mountPoint = dir.toString();
        return List.of(new String[] {"info"}, new String[] {"info", "--output=json", "--backing-chain"},
                new String[] {"map"}, new String[] {"map", "--output=json"}, new String[] {"read"},
                new String[] {"convert", "", target}, new String[] {"measure", "-O", "qcow2"},
                new String[] {"mount", "", mountPoint});
    }

    private static String[] with(String[] command, String image) {
        String[] args = command.clone();
        int slot = List.of(args).indexOf("");
        if (slot >= 0) {
            args[slot] = image;
            return args;
        }
        String[] withImage = java.util.Arrays.copyOf(args, args.length + 1);
        withImage[args.length] = image;
        return withImage;
    }

    @Test
    void missingFile() {
        String missing = dir.resolve("disk.qcow2").toString();
        for (String[] command : commands()) {
            Cli.Result result = Cli.run(with(command, missing));
            assertThat(result.exit()).as(command[0]).isEqualTo(1);
            assertThat(result.stderr()).as(command[0]).isEqualTo("qcow2: " + missing + ": No such file or directory\n");
            assertThat(result.stdout()).isEmpty();
        }
    }

    @Test
    void relativeMissingFileIsNamedAsTyped() {
        Cli.Result result = Cli.run("info", "disk.qcow2");
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.stderr()).isEqualTo("qcow2: disk.qcow2: No such file or directory\n");
    }

    @Test
    void directory() {
        for (String[] command : commands()) {
            Cli.Result result = Cli.run(with(command, dir.toString()));
            assertThat(result.exit()).as(command[0]).isEqualTo(1);
            assertThat(result.stderr()).as(command[0]).isEqualTo("qcow2: " + dir + ": Is a directory\n");
        }
    }

    @Test
    void randomBytesAreARawImageAsForQemuImg() throws Exception {
        Path noise = dir.resolve("noise.bin");
        byte[] bytes = new byte[65536];
        new Random(42).nextBytes(bytes);
        Files.write(noise, bytes);
        Cli.Result result = Cli.run("info", noise.toString());
        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains("file format: raw\n");
        if (Qemu.checksWith("qemu-img")) {
            assertThat(Qemu.run("qemu-img", "info", noise.toString())).contains("file format: raw\n");
        }
        Cli.Result forced = Cli.run("info", "-f", "qcow2", noise.toString());
        assertThat(forced.exit()).isEqualTo(1);
        assertThat(forced.stderr()).startsWith("qcow2: " + noise + ": ").hasLineCount(1);
    }

    @Test
    void damagedHeaderVersion7() throws Exception {
        Path damaged = qcow2WithHeaderBytes("version7.qcow2", 4, new byte[] {0, 0, 0, 7});
        for (String[] command : commands()) {
            Cli.Result result = Cli.run(with(command, damaged.toString()));
            assertThat(result.exit()).as(command[0]).isEqualTo(1);
            assertThat(result.stderr()).as(command[0]).startsWith("qcow2: " + damaged + ": ").contains("version")
                    .contains("7").hasLineCount(1).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void truncatedHeaderAndUnknownFormat() throws Exception {
        Path truncated = dir.resolve("truncated.qcow2");
        Files.write(truncated, new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3});
        Cli.Result result = Cli.run("info", truncated.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.stderr()).startsWith("qcow2: " + truncated + ": ").hasLineCount(1);

        Cli.Result unknown = Cli.run("info", "-f", "qed", truncated.toString());
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.stderr()).startsWith("qcow2: ").contains("qed").hasLineCount(1);
    }

    @Test
    void corruptTableFoundWhileReading() throws Exception {
        Qemu.require("qemu-img");
        Path image = Qemu.createQcow2(dir.resolve("corrupt.qcow2"), "1M");
        Qemu.io(image, "qcow2", "write -P 0x12 0 64k");
        long l1Offset;
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(48);
            channel.read(header, 0);
            l1Offset = header.getLong(40);
            // an L2 table offset that is not cluster-aligned
            channel.write(ByteBuffer.allocate(8).putLong(0, 0x8000000000000000L | 0x123400L).rewind(), l1Offset);
        }
        for (String command : List.of("read", "map")) {
            Cli.Result result = Cli.run(command, image.toString());
            assertThat(result.exit()).as(command).isEqualTo(1);
            assertThat(result.stderr()).as(command).startsWith("qcow2: " + image + ": ").hasLineCount(1)
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void safeModeRefusesABackingFile() {
        Cli.Result result = Cli.run("info", "--safe", Cli.SAMPLE.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.stderr()).startsWith("qcow2: " + Cli.SAMPLE + ": ").contains("base.qcow2").hasLineCount(1);
        assertThat(Cli.run("info", "--safe", Cli.SAMPLE_BASE.toString()).exit()).isZero();
    }

    @Test
    void bugsAndErrorsAreOneLineToo() throws Exception {
        Path file = Files.write(dir.resolve("any.img"), new byte[512]);
        Cli.Result bug = Cli.run("info", "-f", "explode", file.toString());
        assertThat(bug.exit()).isEqualTo(1);
        assertThat(bug.stderr()).isEqualTo("qcow2: " + file
                + ": internal error: java.lang.IllegalStateException: boom (--debug shows where)\n");

        Path overflow = Files.write(dir.resolve("overflow.img"), new byte[512]);
        Cli.Result error = Cli.run("read", "-f", "explode", overflow.toString());
        assertThat(error.exit()).isEqualTo(1);
        assertThat(error.stderr()).startsWith("qcow2: " + overflow + ": internal error: java.lang.StackOverflowError")
                .hasLineCount(1);
    }

    @Test
    void warningsAreOneLineAndTheOutputStaysQemus() throws Exception {
        Qemu.require("qemu-img");
        Path dirty = Qemu.createQcow2(dir.resolve("dirty.qcow2"), "1M", "lazy_refcounts=on");
        try (FileChannel channel = FileChannel.open(dirty, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {1}), 79); // incompatible feature bit 0: dirty
        }
        Cli.Result result = Cli.run("info", dirty.toString());
        assertThat(result.exit()).isZero();
        String diskSize = "(?m)^disk size: .*$";
        assertThat(result.out().replaceAll(diskSize, ""))
                .isEqualTo(Qemu.run("qemu-img", "info", dirty.toString()).replaceAll(diskSize, ""))
                .contains("cleanly shut down: no\n");
        assertThat(result.stderr()).startsWith("qcow2: warning: " + dirty + ": ").contains("dirty").hasLineCount(1);
    }

    @Test
    void debugAddsTheStackTrace() throws Exception {
        Path damaged = qcow2WithHeaderBytes("debug.qcow2", 4, new byte[] {0, 0, 0, 7});
        Cli.Result result = Cli.run("info", "--debug", damaged.toString());
        assertThat(result.exit()).isEqualTo(1);
        String[] lines = result.stderr().split("\n");
        assertThat(lines[0]).startsWith("qcow2: " + damaged + ": ");
        assertThat(result.stderr()).contains("\tat ");

        Path file = Files.write(dir.resolve("bug.img"), new byte[512]);
        assertThat(Cli.run("map", "--debug", "-f", "explode", file.toString()).stderr())
                .contains("IllegalStateException: boom\n\tat ");
    }

    @Test
    void noCommandAndUnknownOptionsAreUsageErrors() {
        assertThat(Cli.run().exit()).isEqualTo(2);
        assertThat(Cli.run("frobnicate").exit()).isEqualTo(2);
        Cli.Result unknown = Cli.run("info", "--frob", "x");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.stderr()).startsWith("qcow2: Unknown option: '--frob'");
        assertThat(Cli.run("info", "--help").exit()).isZero();
        assertThat(Cli.run("info", "--help").out()).contains("Examples:");
        assertThat(Cli.run("--version").out()).startsWith("qcow2 (qcow4j)");
    }

    /** A valid qcow2 image (made without qemu-img: header, L1, refcounts) with some header bytes replaced. */
    private Path qcow2WithHeaderBytes(String name, int offset, byte[] bytes) throws Exception {
        Path image = dir.resolve(name);
        ByteBuffer header = ByteBuffer.allocate(3 * 65536);
        header.putInt(0x514649fb).putInt(3).putLong(0).putInt(16).putLong(1 << 20) // magic, version, backing, bits, size
                .putInt(0).putInt(1).putLong(65536) // crypt, l1 size, l1 offset
                .putLong(131072).putInt(1).putInt(0).putLong(0) // refcount table, clusters, snapshots
                .putLong(0).putLong(0).putLong(0).putInt(4).putInt(104); // features, refcount order, header length
        header.put(offset, bytes);
        Files.write(image, header.array());
        return image;
    }
}
