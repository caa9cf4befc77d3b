package io.qcow4j.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.MemoryImage;
import io.qcow4j.testing.Qemu;

/**
 * A block device target (a loop device over a file of garbage): written in place, never deleted, zero ranges made
 * zero. Needs root and a free loop device; skipped otherwise, in CI too, since containers often have no loop devices.
 */
class BlockDeviceTest {

    private static final int SIZE = 8 << 20;

    @TempDir
    Path dir;

    @Test
    void deviceGetsTheSourceWithZerosWhereItReadsAsZero() throws IOException {
        assumeTrue("0".equals(Qemu.run("id", "-u").trim()), "loop devices need root; skipping");
        assumeTrue(Qemu.onPath("losetup"), "losetup is not installed; skipping");
        Path backing = dir.resolve("device.img");
        byte[] garbage = new byte[SIZE];
        Arrays.fill(garbage, (byte) 0xee);
        Files.write(backing, garbage);
        String device;
        try {
            device = Qemu.run("losetup", "-f", "--show", backing.toString()).trim();
        } catch (IllegalStateException e) {
            assumeTrue(false, "no loop device available: " + e.getMessage());
            return;
        }
        try {
            MemoryImage image = MemoryImage.builder(SIZE - (1 << 20)).data(0, 3 << 20).zero(4L << 20, 1 << 20)
                    .data((5L << 20) + 512, 70_000).build();
            // no -n: a device is always written in place
            ConvertResult result = Converter.convert(image, Path.of(device), ConvertOptions.builder()
                    .segmentSize(1 << 20).bufferSize(256 << 10).build());
            assertThat(result.bytesZero()).isPositive();
            assertThat(Path.of(device)).exists();

            byte[] content = read(Path.of(device));
            assertThat(Arrays.copyOf(content, (int) image.size())).isEqualTo(image.contents());
            // past the source's size the device keeps what it had
            assertThat(content[(int) image.size()]).isEqualTo((byte) 0xee);
        } finally {
            Qemu.run("losetup", "-d", device);
        }
    }

    private static byte[] read(Path device) throws IOException {
        byte[] bytes = new byte[SIZE];
        try (FileChannel channel = FileChannel.open(device, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
                // until the device ends
            }
        }
        return bytes;
    }
}
