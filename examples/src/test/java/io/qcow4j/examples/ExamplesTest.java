package io.qcow4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.BackingChainException;
import io.qcow4j.FilePolicy;
import io.qcow4j.Image;
import io.qcow4j.ImageFormats;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.testing.Qemu;

class ExamplesTest {

    private static final Path SAMPLE = Path.of("").toAbsolutePath().getParent().resolve("sample/sample.qcow2");

    @TempDir
    Path dir;

    @Test
    void aProviderOnTheClassPathIsFoundByProbing() throws Exception {
        Path file = Files.writeString(dir.resolve("disk.pattern"), "qcow4j-pattern 1048576 171\n");
        try (Image image = Images.open(file)) {
            assertThat(image.format()).isEqualTo("pattern");
            assertThat(image.size()).isEqualTo(1 << 20);
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            image.readFully(buffer, 1044480);
            assertThat(buffer.array()).containsOnly((byte) 171);
        }
        assertThat(ImageFormats.defaults().provider("pattern")).get().isInstanceOf(PatternFormatProvider.class);
    }

    @Test
    void aProvidersBackingFileIsOpenedThroughTheContext() throws Exception {
        Qemu.require("qemu-img");
        Path base = Qemu.createQcow2(dir.resolve("base.qcow2"), "1M");
        Qemu.io(base, "qcow2", "write -P 0x62 0 64k");
        Path patched = Files.writeString(dir.resolve("boot.pattern"),
                "qcow4j-pattern 1048576 171\nbacking base.qcow2 qcow2\n");
        try (Image image = Images.open(patched)) {
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            image.readFully(buffer, 0);
            assertThat(Arrays.copyOfRange(buffer.array(), 0, 512)).containsOnly((byte) 171);
            assertThat(Arrays.copyOfRange(buffer.array(), 512, 1024)).containsOnly((byte) 0x62);
            assertThat(image.backing()).get().extracting(Image::format).isEqualTo("qcow2");
            assertThat(image.info().fullBackingFilename()).isEqualTo(base);
            assertThat(image.blockStatus(512, 1 << 20).depth()).isEqualTo(1);
        }
        // the context's checks hold for this format too: a loop, and the host's policy
        Files.writeString(dir.resolve("other.pattern"), "qcow4j-pattern 1048576 1\nbacking boot.pattern\n");
        Files.writeString(patched, "qcow4j-pattern 1048576 171\nbacking other.pattern\n");
        assertThatThrownBy(() -> Images.open(patched)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("backing chain loops");
        assertThatThrownBy(() -> Images.open(patched, OpenOptions.builder()
                .filePolicy(FilePolicy.refuseOtherFiles()).build()))
                .isInstanceOf(UnsafeImageException.class).hasMessageContaining("'other.pattern'");
    }

    @Test
    void convertWithProgressConvertsTheNewFormat() throws Exception {
        Path file = Files.writeString(dir.resolve("disk.pattern"), "qcow4j-pattern 65536 7\n");
        Path target = dir.resolve("disk.raw");
        String out = capture(() -> ConvertWithProgress.main(new String[] {file.toString(), target.toString()}));
        assertThat(out).startsWith("65536 bytes: 65536 read");
        assertThat(Files.readAllBytes(target)).hasSize(65536).containsOnly(7);
    }

    @Test
    void openAndReadPrintsTheBanner() throws Exception {
        String out = capture(() -> OpenAndRead.main(new String[] {SAMPLE.toString()}));
        assertThat(out).startsWith("qcow2, 67108864 bytes\nqcow4j sample disk\n")
                .contains("DATA        depth 0, compressed");
    }

    @Test
    void mountFromCodeServesUntilUnmounted() throws Exception {
        Qemu.require("qemu-img");
        Qemu.require("fusermount");
        Path expected = Qemu.toRaw(SAMPLE, dir.resolve("expected.raw"));
        Path mountPoint = Files.createDirectory(dir.resolve("mnt"));
        CountDownLatch serving = new CountDownLatch(1);
        PrintStream saved = System.out;
        // the program says "serving ..." once the file is readable: that line is the signal to go on
        System.setOut(new PrintStream(new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                super.write(b, off, len);
                if (toString(StandardCharsets.UTF_8).contains("serving ")) {
                    serving.countDown();
                }
            }
        }, true, StandardCharsets.UTF_8));
        CompletableFuture<Void> program = CompletableFuture.runAsync(() -> {
            try {
                MountFromCode.main(new String[] {SAMPLE.toString(), mountPoint.toString()});
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        try {
            CompletableFuture.anyOf(program, CompletableFuture.runAsync(() -> {
                try {
                    serving.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            })).get(60, TimeUnit.SECONDS);
            assertThat(program).as("the program ended before serving").isNotCompletedExceptionally();
            assertThat(Files.mismatch(mountPoint.resolve("sample.raw"), expected)).isEqualTo(-1);
        } finally {
            if (Files.readString(Path.of("/proc/self/mounts")).contains(" " + mountPoint + " ")) {
                Qemu.run("fusermount", "-u", mountPoint.toString());
            }
            System.setOut(saved);
        }
        program.get(60, TimeUnit.SECONDS); // returns once unmounted
    }

    private interface Action {
        void run() throws Exception;
    }

    private static String capture(Action action) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
