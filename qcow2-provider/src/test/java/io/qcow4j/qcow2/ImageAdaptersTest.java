package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.Qemu;

/** {@link Image#newChannel()} and {@link Image#newInputStream()} give the bytes qemu-img gives. */
class ImageAdaptersTest {

    @TempDir
    Path dir;

    private Path image;
    private byte[] raw;

    @BeforeEach
    void makeImage() throws IOException {
        Qemu.require("qemu-img");
        image = Qemu.createQcow2(dir.resolve("disk.qcow2"), "1M", "cluster_size=4096");
        Qemu.io(image, "qcow2", "write -P 0x61 0 4k", "write -P 0x62 100k 10k", "write -P 0x63 1020k 4k");
        raw = Files.readAllBytes(Qemu.toRaw(image, dir.resolve("disk.raw")));
    }

    @Test
    void aChannelReadsTheDiskFromItsPosition() throws IOException {
        try (Image opened = Images.open(image); SeekableByteChannel channel = opened.newChannel()) {
            assertThat(channel.size()).isEqualTo(raw.length);
            ByteBuffer all = ByteBuffer.allocate(raw.length + 10);
            while (channel.read(all) > 0) {
                // reads of any length, up to the end
            }
            assertThat(all.flip().remaining()).isEqualTo(raw.length);
            assertThat(Arrays.copyOf(all.array(), raw.length)).isEqualTo(raw);
            assertThat(channel.position()).isEqualTo(raw.length);
            assertThat(channel.read(ByteBuffer.allocate(1))).isEqualTo(-1);

            ByteBuffer some = ByteBuffer.allocate(3000);
            assertThat(channel.position(102_000).read(some)).isEqualTo(3000);
            assertThat(some.array()).isEqualTo(Arrays.copyOfRange(raw, 102_000, 105_000));
            assertThat(channel.position()).isEqualTo(105_000);
            assertThat(channel.position(2L * raw.length).read(some.clear())).isEqualTo(-1);
            assertThatThrownBy(() -> channel.position(-1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> channel.write(ByteBuffer.allocate(1)))
                    .isInstanceOf(NonWritableChannelException.class);
            assertThatThrownBy(() -> channel.truncate(0)).isInstanceOf(NonWritableChannelException.class);

            channel.close();
            assertThat(channel.isOpen()).isFalse();
            assertThatThrownBy(() -> channel.read(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
            // closing the view leaves the image open
            assertThat(opened.read(ByteBuffer.allocate(1), 0)).isEqualTo(1);
        }
    }

    @Test
    void aChannelOverARangeStartsAtItsOffsetAndEndsAtItsEnd() throws IOException {
        try (Image opened = Images.open(image); SeekableByteChannel channel = opened.newChannel(100_000, 5000)) {
            assertThat(channel.size()).isEqualTo(5000);
            ByteBuffer dst = ByteBuffer.allocate(8000);
            assertThat(channel.read(dst)).isEqualTo(5000);
            assertThat(Arrays.copyOf(dst.array(), 5000)).isEqualTo(Arrays.copyOfRange(raw, 100_000, 105_000));
            assertThat(channel.read(dst)).isEqualTo(-1);
            assertThatThrownBy(() -> opened.newChannel(raw.length - 10, 11))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> opened.newChannel(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void anInputStreamReadsTheDiskOrARangeInOrder() throws IOException {
        try (Image opened = Images.open(image)) {
            try (InputStream in = opened.newInputStream()) {
                assertThat(in.readAllBytes()).isEqualTo(raw);
                assertThat(in.read()).isEqualTo(-1);
            }
            try (InputStream in = opened.newInputStream(1020 * 1024 - 2, 6)) {
                assertThat(in.available()).isEqualTo(6);
                assertThat(in.read()).isEqualTo(0);
                assertThat(in.skip(1)).isEqualTo(1);
                assertThat(in.readAllBytes()).containsExactly(0x63, 0x63, 0x63, 0x63);
                assertThat(in.skip(10)).isZero();
            }
            InputStream closed = opened.newInputStream();
            closed.close();
            assertThatThrownBy(closed::read).isInstanceOf(IOException.class).hasMessage("Stream closed");
            assertThatThrownBy(() -> opened.newInputStream(0, raw.length + 1L))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
