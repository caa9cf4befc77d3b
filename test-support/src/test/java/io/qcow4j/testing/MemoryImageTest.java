package io.qcow4j.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;

class MemoryImageTest {

    private static byte[] read(Image image, long position, int length) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(length);
        image.readFully(dst, position);
        return dst.array();
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    @Test
    void readsEachKindOfRunAcrossTheirBoundaries() throws Exception {
        MemoryImage image = MemoryImage.builder(100)
                .data(10, new byte[] {1, 2, 3, 4, 5})
                .zero(15, 10)
                .data(25, 5, BytePattern.constant(7))
                .data(40, 20, BytePattern.modulo(251))
                .build();
        byte[] expected = new byte[100];
        System.arraycopy(new byte[] {1, 2, 3, 4, 5}, 0, expected, 10, 5);
        Arrays.fill(expected, 25, 30, (byte) 7);
        for (int i = 40; i < 60; i++) {
            expected[i] = (byte) i;
        }
        assertThat(read(image, 0, 100)).isEqualTo(expected);
        assertThat(read(image, 12, 16)).isEqualTo(Arrays.copyOfRange(expected, 12, 28));
        assertThat(image.contents()).isEqualTo(expected);
        // into a direct buffer, at its position, leaving its limit
        ByteBuffer direct = ByteBuffer.allocateDirect(20).position(3).limit(10);
        assertThat(image.read(direct, 9)).isEqualTo(7);
        assertThat(direct.position()).isEqualTo(10);
        assertThat(direct.limit()).isEqualTo(10);
        byte[] got = new byte[7];
        direct.get(3, got);
        assertThat(got).isEqualTo(Arrays.copyOfRange(expected, 9, 16));
    }

    @Test
    void aRunGivenOverEarlierOnesReplacesThemWhereTheyOverlap() throws Exception {
        MemoryImage image = MemoryImage.builder(40)
                .data(0, 30, BytePattern.constant(1)).storedAt(1000)
                .zero(10, 5)
                .data(20, 15, BytePattern.constant(2))
                .unallocated(25, 2)
                .build();
        assertThat(image.map(0, 40)).containsExactly(
                new BlockStatus(0, 10, Allocation.DATA, false, 0, 1000),
                new BlockStatus(10, 5, Allocation.ZERO, false, 0, -1),
                new BlockStatus(15, 5, Allocation.DATA, false, 0, 1015),
                new BlockStatus(20, 5, Allocation.DATA, false, 0, -1),
                new BlockStatus(25, 2, Allocation.UNALLOCATED, false, 0, -1),
                new BlockStatus(27, 8, Allocation.DATA, false, 0, -1),
                new BlockStatus(35, 5, Allocation.UNALLOCATED, false, 0, -1));
        byte[] expected = new byte[40];
        Arrays.fill(expected, 0, 10, (byte) 1);
        Arrays.fill(expected, 15, 20, (byte) 1);
        Arrays.fill(expected, 20, 25, (byte) 2);
        Arrays.fill(expected, 27, 35, (byte) 2);
        assertThat(image.contents()).isEqualTo(expected);
    }

    @Test
    void blockStatusAnswersOneRunAsGivenClippedToTheQuery() throws Exception {
        MemoryImage image = MemoryImage.builder(50)
                .data(0, 10).storedAt(4096)
                .data(10, 10).storedAt(4106)
                .data(20, 10).compressed()
                .zero(30, 10).storedAt(8192)
                .build();
        // adjacent runs that continue each other are still answered one at a time
        assertThat(image.blockStatus(0, 100)).isEqualTo(new BlockStatus(0, 10, Allocation.DATA, false, 0, 4096));
        assertThat(image.blockStatus(3, 4)).isEqualTo(new BlockStatus(3, 4, Allocation.DATA, false, 0, 4099));
        assertThat(image.blockStatus(25, Long.MAX_VALUE)).isEqualTo(new BlockStatus(25, 5, Allocation.DATA, true, 0,
                -1));
        assertThat(image.blockStatus(31, 3)).isEqualTo(new BlockStatus(31, 3, Allocation.ZERO, false, 0, 8193));
        assertThat(image.blockStatus(49, 1)).isEqualTo(new BlockStatus(49, 1, Allocation.UNALLOCATED, false, 0, -1));
        assertThat(image.map(0, 50)).containsExactly(
                new BlockStatus(0, 20, Allocation.DATA, false, 0, 4096),
                new BlockStatus(20, 10, Allocation.DATA, true, 0, -1),
                new BlockStatus(30, 10, Allocation.ZERO, false, 0, 8192),
                new BlockStatus(40, 10, Allocation.UNALLOCATED, false, 0, -1));
        assertThat(image.blockStatusCalls()).isEqualTo(5 + 5);
    }

    @Test
    void argumentsAreCheckedAsARealImageChecksThem() throws Exception {
        MemoryImage image = MemoryImage.of(new byte[] {1, 2, 3});
        assertThat(image.read(ByteBuffer.allocate(10), 3)).isEqualTo(-1);
        assertThat(image.read(ByteBuffer.allocate(10), 1000)).isEqualTo(-1);
        assertThat(image.read(ByteBuffer.allocate(0), 1)).isZero();
        ByteBuffer two = ByteBuffer.allocate(10);
        assertThat(image.read(two, 1)).isEqualTo(2);
        assertThat(two.flip()).isEqualTo(ByteBuffer.wrap(new byte[] {2, 3}));
        assertThatThrownBy(() -> image.read(ByteBuffer.allocate(1), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("negative position: -1");
        assertThatThrownBy(() -> image.read(ByteBuffer.allocate(1).asReadOnlyBuffer(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Read-only buffer");
        // read-only even at the end of the disk, as FileChannel refuses one
        assertThatThrownBy(() -> image.read(ByteBuffer.allocate(1).asReadOnlyBuffer(), 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> image.blockStatus(3, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> image.blockStatus(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> image.blockStatus(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> image.readFully(ByteBuffer.allocate(4), 0)).isInstanceOf(java.io.EOFException.class);
        assertThat(MemoryImage.of(new byte[0]).read(ByteBuffer.allocate(1), 0)).isEqualTo(-1);
    }

    @Test
    void unallocatedRunsReadFromTheBackingImageAndSayItsStatusOneLevelDeeper() throws Exception {
        MemoryImage base = MemoryImage.builder(30)
                .data(0, 30, BytePattern.constant(9)).storedAt(512)
                .zero(20, 5)
                .file(Path.of("base.img")).format("base")
                .build();
        MemoryImage top = MemoryImage.builder(40).data(5, 5, BytePattern.constant(1)).backing(base).build();
        byte[] expected = filled(40, 9);
        Arrays.fill(expected, 5, 10, (byte) 1);
        Arrays.fill(expected, 20, 25, (byte) 0);
        // past the shorter backing image's end: zeros
        Arrays.fill(expected, 30, 40, (byte) 0);
        assertThat(read(top, 0, 40)).isEqualTo(expected);
        assertThat(top.contents()).isEqualTo(expected);
        assertThat(top.map(0, 40)).containsExactly(
                new BlockStatus(0, 5, Allocation.DATA, false, 1, 512),
                new BlockStatus(5, 5, Allocation.DATA, false, 0, -1),
                new BlockStatus(10, 10, Allocation.DATA, false, 1, 522),
                new BlockStatus(20, 5, Allocation.ZERO, false, 1, -1),
                new BlockStatus(25, 5, Allocation.DATA, false, 1, 537),
                new BlockStatus(30, 10, Allocation.UNALLOCATED, false, 0, -1));
        assertThat(top.backing()).containsSame(base);
        ImageInfo info = top.info();
        assertThat(info.backingFilename()).isEqualTo("base.img");
        assertThat(info.fullBackingFilename()).isEqualTo(Path.of("base.img"));
        assertThat(info.backingFormat()).isEqualTo("base");
        // an image without a backing one reads zeros there, at depth 0
        MemoryImage alone = MemoryImage.builder(10).data(0, 2).build();
        assertThat(read(alone, 2, 8)).containsOnly(0);
        assertThat(alone.blockStatus(2, 100)).isEqualTo(new BlockStatus(2, 8, Allocation.UNALLOCATED, false, 0, -1));
        assertThat(alone.info().backingFilename()).isNull();
    }

    @Test
    void infoAndFilesSayWhatTheBuilderWasGiven() throws Exception {
        MemoryImage named = MemoryImage.builder(4096).format("fake").file(Path.of("fake-image")).build();
        assertThat(named.format()).isEqualTo("fake");
        assertThat(named.info()).isEqualTo(new ImageInfo("fake", Path.of("fake-image"), 4096, 0, 0, false, null,
                null, null, List.of(), java.util.Map.of()));
        assertThat(named.files()).containsExactly(Path.of("fake-image"));
        MemoryImage anonymous = MemoryImage.builder(1).build();
        assertThat(anonymous.format()).isEqualTo("memory");
        assertThat(anonymous.info().filename()).isNull();
        assertThat(anonymous.files()).isEmpty();
    }

    @Test
    void countsCallsAndLogsTheReadsItServed() throws Exception {
        MemoryImage image = MemoryImage.builder(100).data(0, 100).build();
        read(image, 10, 20);
        image.read(ByteBuffer.allocate(10), 95);
        image.read(ByteBuffer.allocate(10), 100);
        assertThatThrownBy(() -> image.read(ByteBuffer.allocate(1), -5)).isInstanceOf(IllegalArgumentException.class);
        assertThat(image.readCalls()).isEqualTo(4);
        assertThat(image.bytesRead()).isEqualTo(25);
        assertThat(image.reads()).containsExactly(new MemoryImage.Read(10, 20, Thread.currentThread()),
                new MemoryImage.Read(95, 5, Thread.currentThread()));
        assertThat(image.readingThreads()).containsExactly(Thread.currentThread());
        assertThat(image.blockStatusCalls()).isZero();
    }

    @Test
    void countsExactlyUnderConcurrentReads() throws Exception {
        MemoryImage image = MemoryImage.builder(1 << 20).data(0, 1 << 20).build();
        byte[] expected = image.contents();
        int threads = 8;
        int readsEach = 2000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    start.await();
                    java.util.Random random = new java.util.Random(seed);
                    for (int i = 0; i < readsEach; i++) {
                        int at = random.nextInt((1 << 20) - 100);
                        assertThat(read(image, at, 100)).isEqualTo(Arrays.copyOfRange(expected, at, at + 100));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(image.readCalls()).isEqualTo((long) threads * readsEach);
        assertThat(image.bytesRead()).isEqualTo(100L * threads * readsEach);
        assertThat(image.reads()).hasSize(threads * readsEach);
        assertThat(image.readingThreads()).hasSize(threads);
    }

    @Test
    void failReadsFailsOnlyReadsThatTouchTheRangeAndLogsNone() throws Exception {
        MemoryImage image = MemoryImage.builder(100).data(0, 100).failReads(40, 10, "bad sector").build();
        assertThat(read(image, 0, 40)).hasSize(40);
        assertThat(read(image, 50, 50)).hasSize(50);
        for (int[] touching : new int[][] {{39, 2}, {40, 1}, {49, 1}, {30, 30}}) {
            assertThatThrownBy(() -> image.read(ByteBuffer.allocate(touching[1]), touching[0]))
                    .isExactlyInstanceOf(IOException.class).hasMessage("bad sector");
        }
        assertThat(image.reads()).extracting(MemoryImage.Read::position).containsExactly(0L, 50L);
        assertThat(image.readCalls()).isEqualTo(6);
        assertThat(image.bytesRead()).isEqualTo(90);
        // what a read would give is still known
        assertThat(image.contents()).hasSize(100);
    }

    @Test
    void hooksRunInOrderBeforeEachReadAndMayThrowErrorsOrHoldTheRead() throws Exception {
        List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MemoryImage image = MemoryImage.builder(100).data(0, 100)
                .onRead((position, length) -> calls.add("first " + position + " " + length))
                .onRead((position, length) -> {
                    calls.add("second");
                    if (position == 90) {
                        throw new OutOfMemoryError("no room to inflate");
                    }
                    if (position == 50) {
                        reading.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                    }
                })
                .build();
        read(image, 0, 10);
        assertThatThrownBy(() -> image.read(ByteBuffer.allocate(20), 90)).isInstanceOf(OutOfMemoryError.class);
        // no hook for a read past the end
        image.read(ByteBuffer.allocate(1), 100);
        assertThat(calls).containsExactly("first 0 10", "second", "first 90 10", "second");

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<byte[]> held = pool.submit(() -> read(image, 50, 5));
            reading.await();
            assertThat(held).isNotDone();
            assertThat(image.reads()).hasSize(1);
            release.countDown();
            assertThat(held.get(60, TimeUnit.SECONDS)).isEqualTo(Arrays.copyOfRange(image.contents(), 50, 55));
        } finally {
            pool.shutdownNow();
        }
        assertThat(image.reads()).hasSize(2);
    }

    @Test
    void afterCloseEveryQueryFailsAndTheBackingImageIsClosedOnce() throws Exception {
        List<String> closes = new ArrayList<>();
        MemoryImage base = MemoryImage.builder(10).build();
        // the base image, with its closes counted
        Image counted = (Image) Proxy.newProxyInstance(Image.class.getClassLoader(), new Class<?>[] {Image.class},
                (proxy, method, arguments) -> {
                    if (method.getName().equals("close")) {
                        closes.add("close");
                    }
                    return method.invoke(base, arguments);
                });
        MemoryImage top = MemoryImage.builder(10).backing(counted).build();
        SeekableByteChannel channel = top.newChannel();
        top.close();
        top.close();
        assertThat(top.isClosed()).isTrue();
        assertThat(base.isClosed()).isTrue();
        assertThat(closes).hasSize(1);
        assertThatThrownBy(() -> top.read(ByteBuffer.allocate(1), 0)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> top.blockStatus(0, 1)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(top::info).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> channel.read(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
        // as a real image, the argument errors come first
        assertThatThrownBy(() -> top.read(ByteBuffer.allocate(1), -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> top.blockStatus(10, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void channelsAndStreamsReadTheDisk() throws Exception {
        MemoryImage image = MemoryImage.builder(5000).data(100, 4000, BytePattern.modulo(251)).build();
        byte[] expected = image.contents();
        try (var stream = image.newInputStream()) {
            assertThat(stream.readAllBytes()).isEqualTo(expected);
        }
        try (SeekableByteChannel channel = image.newChannel(1000, 100)) {
            ByteBuffer dst = ByteBuffer.allocate(200);
            assertThat(channel.read(dst)).isEqualTo(100);
            assertThat(Arrays.copyOf(dst.array(), 100)).isEqualTo(Arrays.copyOfRange(expected, 1000, 1100));
        }
    }

    @Test
    void theBuilderRefusesRunsOutsideTheDiskAndFlagsThatCannotApply() {
        MemoryImage.Builder builder = MemoryImage.builder(100);
        assertThatThrownBy(() -> builder.data(90, 11)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("run of 11 bytes at 90 is not inside the 100-byte disk");
        assertThatThrownBy(() -> builder.zero(-1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.unallocated(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.data(Long.MAX_VALUE, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.failReads(95, 10, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(builder::compressed).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.zero(0, 10).compressed()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.unallocated(0, 10).storedAt(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.data(0, 10).compressed().storedAt(0))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.data(0, 10).storedAt(0).compressed())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> MemoryImage.builder(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenBytesAreCopiedAtBuildTime() throws Exception {
        byte[] bytes = {1, 2, 3};
        MemoryImage image = MemoryImage.of(bytes);
        bytes[0] = 9;
        assertThat(image.contents()).containsExactly(1, 2, 3);
    }

    @Test
    void patternsAreFunctionsOfTheGuestOffset() {
        assertThat(BytePattern.modulo(251).at(251 + 17)).isEqualTo((byte) 17);
        assertThat(BytePattern.constant(0xab).at(123_456_789_000L)).isEqualTo((byte) 0xab);
        BytePattern scrambled = BytePattern.scrambled();
        for (long block = 0; block < 1024; block++) {
            boolean allZero = true;
            for (long at = block * 4096; at < (block + 1) * 4096 && allZero; at++) {
                allZero = scrambled.at(at) == 0;
            }
            assertThat(allZero).as("4 KiB block %d all zeros", block).isFalse();
        }
        ByteBuffer bulk = ByteBuffer.allocate(10);
        scrambled.fill(bulk, 1000);
        for (int i = 0; i < 10; i++) {
            assertThat(bulk.get(i)).isEqualTo(scrambled.at(1000 + i));
        }
        assertThatThrownBy(() -> BytePattern.modulo(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
