package io.qcow4j.fuse;

import static io.qcow4j.testing.FuseTesting.assertNotMounted;
import static io.qcow4j.testing.FuseTesting.requireFuse;
import static io.qcow4j.testing.FuseTesting.unmountQuietly;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.ImageMatrix;
import io.qcow4j.testing.Qemu;

/** qemu-img-made qcow2 images, mounted and checked with the tools that read raw disks. */
class Qcow2MountTest {

    @TempDir
    Path dir;
    Path mountPoint;

    @BeforeEach
    void setUp() throws IOException {
        requireFuse();
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
        mountPoint = Files.createDirectory(dir.resolve("mnt"));
    }

    @Test
    void aDeflateImageWithABackingChainMatchesQemuImgConvert() throws Exception {
        Path overlay = ImageMatrix.compressedChain(dir);
        Path reference = Qemu.toRaw(overlay, dir.resolve("reference.raw"));
        byte[] expected = Files.readAllBytes(reference);
        try (Image image = Images.open(overlay);
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.defaults())) {
            assertThat(image.format()).isEqualTo("qcow2");
            assertThat(image.backing()).isPresent();
            assertThat(mount.file().getFileName().toString()).isEqualTo("overlay.raw");
            Qemu.run("cmp", reference.toString(), mount.file().toString());
            RandomReads.concurrently(mount.file(), expected, 4, 0, 100, 200_000);
            long blocks = Long.parseLong(Qemu.run("stat", "-c", "%b", mount.file().toString()).trim());
            assertThat(blocks * 512).isEqualTo(dataBytes(image)).isPositive().isLessThan(image.size());
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }

    private static long dataBytes(Image image) throws IOException {
        long data = 0;
        for (BlockStatus run : image.map(0, image.size())) {
            if (run.allocation() == Allocation.DATA) {
                data += run.length();
            }
        }
        return data;
    }

    @Test
    void anExt4FileSystemInsideACompressedImagePassesE2fsck() throws Exception {
        Qemu.require("mkfs.ext4");
        Qemu.require("e2fsck");
        Qemu.require("debugfs");
        Path content = Files.createDirectory(dir.resolve("content"));
        Files.writeString(content.resolve("hello.txt"), "hello from inside the image\n");
        byte[] blob = new byte[300_000];
        new Random(9).nextBytes(blob);
        Files.write(Files.createDirectory(content.resolve("sub")).resolve("blob.bin"), blob);
        Path raw = dir.resolve("fs.img");
        Qemu.run("mkfs.ext4", "-q", "-F", "-d", content.toString(), raw.toString(), "16M");
        Path qcow2 = Qemu.toQcow2(raw, dir.resolve("fs.qcow2"), List.of("-c"));
        try (Image image = Images.open(qcow2);
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.defaults())) {
            String file = mount.file().toString();
            Qemu.run("e2fsck", "-fn", file);
            assertThat(Qemu.run("debugfs", "-R", "cat /hello.txt", file)).isEqualTo("hello from inside the image\n");
            Path copied = dir.resolve("blob.copy");
            Qemu.run("debugfs", "-R", "dump /sub/blob.bin " + copied, file);
            assertThat(Files.readAllBytes(copied)).isEqualTo(blob);
            Qemu.run("cmp", raw.toString(), file);
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }

    @Test
    void aPartitionedImageShowsItsPartitionTable() throws Exception {
        Qemu.require("sfdisk");
        Path raw = dir.resolve("parts.img");
        try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.truncate(0);
            channel.write(ByteBuffer.allocate(1), (16L << 20) - 1);
        }
        Path script = Files.writeString(dir.resolve("layout"), "label: gpt\nsize=4MiB, type=L, name=one\n"
                + "size=6MiB, type=S, name=two\ntype=L, name=three\n");
        Qemu.run("sh", "-c", "sfdisk -q '" + raw + "' < '" + script + "'");
        Path qcow2 = Qemu.toQcow2(raw, dir.resolve("parts.qcow2"), List.of());
        String expected = Qemu.run("sfdisk", "--dump", raw.toString()).replace(raw.toString(), "DISK");
        assertThat(expected).contains("name=\"one\"", "name=\"two\"", "name=\"three\"");
        try (Image image = Images.open(qcow2);
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.defaults())) {
            String file = mount.file().toString();
            assertThat(Qemu.run("sfdisk", "--dump", file).replace(file, "DISK")).isEqualTo(expected);
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }
}
