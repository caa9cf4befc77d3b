package io.qcow4j.fuse;

import static io.qcow4j.testing.FuseTesting.assertNotMounted;
import static io.qcow4j.testing.FuseTesting.requireFuse;
import static io.qcow4j.testing.FuseTesting.unmountQuietly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.testing.FuseTesting;
import io.qcow4j.testing.MemoryImage;
import io.qcow4j.testing.Qemu;

/** Mounts images in this JVM through {@link RawFileMount} and reads them back with the JDK and real tools. */
class RawFileMountTest {

    @TempDir
    Path dir;
    Path mountPoint;

    @BeforeEach
    void setUp() throws IOException {
        requireFuse();
        mountPoint = Files.createDirectory(dir.resolve("mnt"));
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A sparse raw image: random data in the first and last MiB, a hole between. */
    private Path sparseRaw(String name, int mib) throws IOException {
        Path raw = dir.resolve(name);
        try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(random(1 << 20, 1)), 0);
            channel.write(ByteBuffer.wrap(random(1 << 20, 2)), (long) (mib - 1) << 20);
        }
        return raw;
    }

    @Test
    void servesTheImageBytesUnderTheDefaultNameAndLeavesNothingMounted() throws Exception {
        Path raw = sparseRaw("disk.img", 8);
        try (Image image = Images.open(raw, OpenOptions.builder().format("raw").build());
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.defaults())) {
            assertThat(mount.file()).isEqualTo(mountPoint.toRealPath().resolve("disk.raw"));
            try (var entries = Files.list(mountPoint)) {
                assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("disk.raw");
            }
            assertThat(Files.mismatch(raw, mount.file())).isEqualTo(-1);
            Qemu.run("cmp", raw.toString(), mount.file().toString());
            assertThat(FuseTesting.isMounted(mountPoint)).isTrue();
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }

    @Test
    void showsSizeModeOwnerTimesAndAllocatedBlocks() throws Exception {
        Path raw = sparseRaw("disk.img", 16);
        Files.setLastModifiedTime(raw, java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L));
        try (Image image = Images.open(raw, OpenOptions.builder().format("raw").build());
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.builder().fileName("x").build())) {
            Path file = mount.file();
            assertThat(file.getFileName().toString()).isEqualTo("x");
            assertThat(Files.size(file)).isEqualTo(16L << 20);
            assertThat(Files.isRegularFile(file)).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("r--r--r--");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(mountPoint)))
                    .isEqualTo("r-xr-xr-x");
            assertThat(Files.getLastModifiedTime(file)).isEqualTo(Files.getLastModifiedTime(raw));
            Map<String, Object> unix = Files.readAttributes(file, "unix:uid,gid");
            assertThat(unix).isEqualTo(Files.readAttributes(raw, "unix:uid,gid"));
            // the data runs as the reader sees them, in 512-byte units, as du counts them
            long blocks = Long.parseLong(Qemu.run("stat", "-c", "%b", file.toString()).trim());
            assertThat(blocks).isEqualTo(AllocatedBytes.count(image) / 512).isEqualTo((2L << 20) / 512);
            String statfs = Qemu.run("stat", "-f", "-c", "%S %b %a %f", mountPoint.toString()).trim();
            assertThat(statfs).isEqualTo("4096 4096 0 0");
        } finally {
            unmountQuietly(mountPoint);
        }
    }

    @Test
    void stBlocksComeFromTheImagesBlockStatus() throws Exception {
        // data in the first MiB, allocated zeros after it
        byte[] bytes = Arrays.copyOf(random(1 << 20, 3), 4 << 20);
        try (Image image = MemoryImage.builder(bytes.length).data(0, Arrays.copyOf(bytes, 1 << 20))
                .zero(1 << 20, 3 << 20).build();
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.defaults())) {
            assertThat(mount.file().getFileName().toString()).isEqualTo("image.raw");
            assertThat(Qemu.run("stat", "-c", "%s %b", mount.file().toString()).trim())
                    .isEqualTo((4 << 20) + " " + ((1 << 20) / 512));
            assertThat(Files.readAllBytes(mount.file())).isEqualTo(bytes);
        } finally {
            unmountQuietly(mountPoint);
        }
    }

    @Test
    void requestsAreServedByTheMountsOwnLongLivedThreads() throws Exception {
        byte[] bytes = random(8 << 20, 6);
        MemoryImage recording = MemoryImage.of(bytes);
        try (RawFileMount mount = RawFileMount.mount(recording, mountPoint, MountOptions.defaults())) {
            for (int round = 0; round < 3; round++) {
                try (FileChannel channel = FileChannel.open(mount.file(), StandardOpenOption.READ,
                        com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).alignedSlice(4096);
                    for (long at = 0; at < bytes.length; at += buffer.capacity()) {
                        buffer.clear();
                        channel.read(buffer, at);
                    }
                }
            }
        } finally {
            unmountQuietly(mountPoint);
        }
        // not a JVM thread attached for one request and dropped (which loses every thread-local cache)
        assertThat(recording.readingThreads()).isNotEmpty().hasSizeLessThanOrEqualTo(32)
                .allSatisfy(thread -> assertThat(thread.getName()).startsWith("qcow4j-fuse-image.raw-"));
    }

    @Test
    void aReadOfUpTo1MiBReachesTheFileSystemAsOneRequest() throws Exception {
        byte[] bytes = random(8 << 20, 7);
        try (Image image = MemoryImage.of(bytes);
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.defaults());
             FileChannel channel = FileChannel.open(mount.file(), StandardOpenOption.READ)) {
            // direct I/O: no page cache splitting reads into pages and read-ahead; 1 MiB requests: LargeRequests
            for (int[] read : new int[][] {{1 << 20, 1}, {4 << 20, 4}, {4096, 1}, {(1 << 20) + 1, 2}}) {
                long before = mount.readRequests();
                long lentBefore = mount.lentAnswers();
                ByteBuffer buffer = ByteBuffer.allocateDirect(read[0] + 8192).alignedSlice(4096).limit(read[0]);
                assertThat(channel.read(buffer, 1 << 20)).isEqualTo(read[0]);
                assertThat(mount.readRequests() - before).as("requests for a read of %d bytes", read[0])
                        .isEqualTo(read[1]);
                // each answer sent from the piece cache's memory (ReadReplies), not copied into libfuse's buffer
                assertThat(mount.lentAnswers() - lentBefore).as("answers lent for a read of %d bytes", read[0])
                        .isEqualTo(read[1]);
                assertThat(buffer.flip()).isEqualTo(ByteBuffer.wrap(bytes, 1 << 20, read[0]));
            }
        } finally {
            unmountQuietly(mountPoint);
        }
    }

    @Test
    void withThePageCacheTheKernelServesReadsAgainItselfAndWithoutItEveryReadReachesTheFileSystem() throws Exception {
        byte[] bytes = random(4 << 20, 9);
        for (boolean pageCache : new boolean[] {true, false}) {
            try (Image image = MemoryImage.of(bytes);
                 RawFileMount mount = RawFileMount.mount(image, mountPoint,
                         MountOptions.builder().pageCache(pageCache).build());
                 FileChannel channel = FileChannel.open(mount.file(), StandardOpenOption.READ)) {
                // the whole file first: the kernel's read-ahead, which goes on after a read returns, has nothing
                // left to ask for once the last page is read, so the count below holds only the second read's requests
                ByteBuffer first = ByteBuffer.allocate(bytes.length);
                while (first.hasRemaining() && channel.read(first, first.position()) > 0) {
                    // until the end of the file
                }
                long before = mount.readRequests();
                ByteBuffer again = ByteBuffer.allocate(1 << 20);
                channel.read(again, 0);
                long requests = mount.readRequests() - before;
                if (pageCache) {
                    assertThat(requests).as("requests for reading again through the page cache").isZero();
                } else {
                    assertThat(requests).as("requests for reading again by direct I/O").isPositive();
                }
                assertThat(first.array()).isEqualTo(bytes);
                assertThat(again.array()).isEqualTo(java.util.Arrays.copyOf(bytes, 1 << 20));
                assertThat(Files.mismatch(mount.file(), Files.write(dir.resolve("reference"), bytes))).isEqualTo(-1);
            } finally {
                unmountQuietly(mountPoint);
            }
        }
    }

    @Test
    void aSharedMappingOfTheFileReadsTheImageBytes() throws Exception {
        byte[] bytes = random(3 << 20, 8);
        try (Image image = MemoryImage.of(bytes);
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.defaults());
             FileChannel channel = FileChannel.open(mount.file(), StandardOpenOption.READ)) {
            // FileChannel.map maps MAP_SHARED, which a file opened for direct I/O refuses unless the mount allows it
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length);
            try {
                assertThat(mapped).isEqualTo(ByteBuffer.wrap(bytes));
            } finally {
                unmap(mapped);
            }
        } finally {
            unmountQuietly(mountPoint);
        }
    }

    /** Unmaps now rather than when collected: a mapping keeps the file open, and the file system busy. */
    private static void unmap(ByteBuffer mapped) throws ReflectiveOperationException {
        java.lang.reflect.Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        ((sun.misc.Unsafe) field.get(null)).invokeCleaner(mapped);
    }

    @Test
    void refusesEveryChangeWithReadOnlyFileSystem() throws Exception {
        Path raw = sparseRaw("disk.img", 2);
        byte[] before = Files.readAllBytes(raw);
        try (Image image = Images.open(raw, OpenOptions.builder().format("raw").build());
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.defaults())) {
            Path file = mount.file();
            List<ThrowingAction> changes = List.of(
                    () -> Files.write(file, new byte[] {1}),
                    () -> FileChannel.open(file, StandardOpenOption.WRITE).close(),
                    () -> FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING,
                            StandardOpenOption.WRITE).close(),
                    () -> Files.createFile(mountPoint.resolve("new")),
                    () -> Files.createDirectory(mountPoint.resolve("dir")),
                    () -> Files.delete(file),
                    () -> Files.move(file, mountPoint.resolve("moved")),
                    () -> Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-")),
                    () -> Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(0)));
            for (ThrowingAction change : changes) {
                assertThatThrownBy(change::run).isInstanceOf(FileSystemException.class)
                        .hasMessageContaining("Read-only file system");
            }
            assertThat(Files.readAllBytes(file)).isEqualTo(before);
        } finally {
            unmountQuietly(mountPoint);
        }
        assertThat(Files.readAllBytes(raw)).isEqualTo(before);
    }

    interface ThrowingAction {
        void run() throws Exception;
    }

    @Test
    void concurrentReadersAtRandomOffsetsSeeTheReferenceBytes() throws Exception {
        byte[] reference = random(12 << 20, 4);
        Path raw = Files.write(dir.resolve("disk.img"), reference);
        try (Image image = Images.open(raw, OpenOptions.builder().format("raw").build());
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.defaults())) {
            RandomReads.concurrently(mount.file(), reference, 6, 100, 150, 300_000);
        } finally {
            unmountQuietly(mountPoint);
        }
    }

    @Test
    void aFailedReadAnswersEioLogsOnceAndTheMountKeepsServing() throws Exception {
        byte[] bytes = random(4 << 20, 5);
        long badFrom = 3L << 20;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Image image = MemoryImage.builder(bytes.length).data(0, bytes)
                .failReads(badFrom, 4096, "corrupt cluster at " + badFrom).build();
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.builder().fileName("d").build(),
                     new PrintStream(log, true, StandardCharsets.UTF_8))) {
            for (int attempt = 0; attempt < 3; attempt++) {
                try (FileChannel channel = FileChannel.open(mount.file(), StandardOpenOption.READ)) {
                    assertThatThrownBy(() -> channel.read(ByteBuffer.allocate(4096), badFrom))
                            .isInstanceOf(IOException.class).hasMessageContaining("Input/output error");
                }
            }
            try (FileChannel channel = FileChannel.open(mount.file(), StandardOpenOption.READ)) {
                ByteBuffer good = ByteBuffer.allocate(1 << 20);
                channel.read(good, 0);
                assertThat(good.array()).isEqualTo(java.util.Arrays.copyOf(bytes, 1 << 20));
            }
            assertThat(mount.isMounted()).isTrue();
        } finally {
            unmountQuietly(mountPoint);
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        assertThat(logged.lines()).hasSize(1);
        assertThat(logged).contains("answered EIO", "corrupt cluster at " + badFrom);
    }

    @Test
    void awaitUnmountReturnsWhenUnmountedFromOutside() throws Exception {
        Path raw = sparseRaw("disk.img", 2);
        try (Image image = Images.open(raw, OpenOptions.builder().format("raw").build());
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.defaults())) {
            assertThat(mount.awaitUnmount(Duration.ofMillis(1))).isFalse();
            Qemu.run("fusermount", "-u", mountPoint.toString());
            assertThat(mount.awaitUnmount(Duration.ofSeconds(30))).isTrue();
            assertThat(mount.isMounted()).isFalse();
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }

    @Test
    void anUnusableMountPointFailsWithOneLineAndMountsNothing() throws Exception {
        Path raw = sparseRaw("disk.img", 2);
        Path file = Files.createFile(dir.resolve("plain-file"));
        Files.createFile(Files.createDirectory(dir.resolve("full")).resolve("something"));
        try (Image image = Images.open(raw, OpenOptions.builder().format("raw").build())) {
            assertThatThrownBy(() -> RawFileMount.mount(image, dir.resolve("missing"), MountOptions.defaults()))
                    .isInstanceOf(MountException.class).hasMessage("mount point " + dir.resolve("missing")
                            + " does not exist");
            assertThatThrownBy(() -> RawFileMount.mount(image, file, MountOptions.defaults()))
                    .isInstanceOf(MountException.class).hasMessage("mount point " + file + " is not a directory");
            assertThatThrownBy(() -> RawFileMount.mount(image, dir.resolve("full"), MountOptions.defaults()))
                    .isInstanceOf(MountException.class).hasMessage("mount point " + dir.resolve("full")
                            + " is not empty");
            try (RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.defaults())) {
                assertThatThrownBy(() -> RawFileMount.mount(image, mountPoint, MountOptions.defaults()))
                        .isInstanceOf(MountException.class)
                        .hasMessage("mount point " + mountPoint + " is busy: something is already mounted there");
                assertThat(Files.size(mount.file())).isEqualTo(2 << 20);
            }
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
        assertNotMounted(dir.resolve("full"));
    }

    /** What a launcher checks before starting the process that mounts: the same lines, and nothing mounted. */
    @Test
    void checkMountPointSaysWhatMountWouldWithoutMounting() throws Exception {
        Path file = Files.createFile(dir.resolve("plain-file"));
        Files.createFile(Files.createDirectory(dir.resolve("full")).resolve("something"));
        assertThatThrownBy(() -> RawFileMount.checkMountPoint(dir.resolve("missing")))
                .isInstanceOf(MountException.class).hasMessage("mount point " + dir.resolve("missing")
                        + " does not exist");
        assertThatThrownBy(() -> RawFileMount.checkMountPoint(file))
                .isInstanceOf(MountException.class).hasMessage("mount point " + file + " is not a directory");
        assertThatThrownBy(() -> RawFileMount.checkMountPoint(dir.resolve("full")))
                .isInstanceOf(MountException.class).hasMessage("mount point " + dir.resolve("full")
                        + " is not empty");
        Path link = Files.createSymbolicLink(dir.resolve("link"), mountPoint.getFileName());
        assertThat(RawFileMount.checkMountPoint(link)).isEqualTo(mountPoint.toRealPath());
        assertNotMounted(mountPoint);
        try (Image image = Images.open(sparseRaw("disk.img", 1), OpenOptions.builder().format("raw").build());
             RawFileMount mount = RawFileMount.mount(image, mountPoint, MountOptions.defaults())) {
            assertThatThrownBy(() -> RawFileMount.checkMountPoint(mountPoint))
                    .isInstanceOf(MountException.class)
                    .hasMessage("mount point " + mountPoint + " is busy: something is already mounted there");
            assertThat(mount.isMounted()).isTrue();
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }
}
