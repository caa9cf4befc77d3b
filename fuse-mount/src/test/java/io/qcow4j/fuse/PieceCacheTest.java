package io.qcow4j.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.kenai.jffi.MemoryIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.testing.MemoryImage;
import io.qcow4j.testing.ReadHook;

class PieceCacheTest {

    private static final int PIECE = PieceCache.MIN_PIECE;

    private final ExecutorService readAhead = PieceCache.readAheadPool(2, "test");

    @AfterEach
    void tearDown() {
        readAhead.shutdownNow();
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * Faults a test switches on and off while the cache reads: every read fails, as a corrupt cluster does, or the
     * reads of one piece throw an error.
     */
    private static final class Faults implements ReadHook {
        volatile boolean failing;
        /** Thrown by reads of the piece it names, when set. */
        volatile Error error;
        volatile long errorPiece = -1;

        @Override
        public void beforeRead(long position, int length) throws IOException {
            if (failing) {
                throw new IOException("cluster at " + position + " is corrupt");
            }
            Error thrown = error;
            if (thrown != null && position / PIECE == errorPiece) {
                throw thrown;
            }
        }
    }

    private static MemoryImage image(byte[] bytes, ReadHook hook) {
        return MemoryImage.builder(bytes.length).data(0, bytes).onRead(hook).build();
    }

    /** How many reads the image served that started in each piece. */
    private static Map<Long, Long> readsByPiece(MemoryImage image) {
        return image.reads().stream().collect(Collectors.groupingBy(read -> read.position() / PIECE,
                Collectors.counting()));
    }

    private static byte[] read(PieceCache cache, long offset, int length) throws IOException {
        // a direct buffer with bytes either side of the range, as libfuse's buffer is to the cache
        ByteBuffer buffer = ByteBuffer.allocateDirect(length + 16);
        buffer.position(8).limit(8 + length);
        ByteBuffer dst = buffer.slice();
        cache.read(dst, offset);
        assertThat(dst.position()).isEqualTo(length);
        byte[] bytes = new byte[length];
        dst.get(0, bytes);
        return bytes;
    }

    private static byte[] slice(byte[] bytes, long offset, int length) {
        return java.util.Arrays.copyOfRange(bytes, (int) offset, (int) offset + length);
    }

    /** A cache of {@code bytes} that reads ahead on the calling thread, before it goes on. */
    private static PieceCache inlineCache(byte[] bytes) {
        return new PieceCache(MemoryImage.of(bytes), 0, Runnable::run);
    }

    /** The bytes {@code loan} lends, gathered from the addresses in its iovec array. */
    private static byte[] lent(PieceLoan loan) {
        MemoryIO memory = MemoryIO.getInstance();
        long iovecs = loan.iovecs(0, 0);
        byte[] bytes = new byte[(int) loan.length()];
        int at = 0;
        for (int i = 1; i <= loan.segments(); i++) {
            long address = memory.getLong(iovecs + (long) i * PieceLoan.IOVEC);
            int length = (int) memory.getLong(iovecs + (long) i * PieceLoan.IOVEC + 8);
            memory.getByteArray(address, bytes, at, length);
            at += length;
        }
        assertThat(at).isEqualTo(bytes.length);
        return bytes;
    }

    /** An answer buffer of {@code length} bytes, all {@link #UNTOUCHED}. */
    private static ByteBuffer answerBuffer(int length) {
        byte[] untouched = new byte[length];
        java.util.Arrays.fill(untouched, UNTOUCHED);
        return ByteBuffer.allocateDirect(length).put(untouched).clear();
    }

    private static final byte UNTOUCHED = 0x55;

    private static byte[] bytesOf(ByteBuffer buffer, int offset, int length) {
        byte[] bytes = new byte[length];
        buffer.get(offset, bytes);
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 512, 65536, 131072, 2 << 20})
    void everyRangeReadsTheImageBytesWhateverTheClusterSize(int clusterSize) throws Exception {
        // an image whose size is not a whole number of pieces, so the last piece is short
        byte[] bytes = random(5 * Math.max(PIECE, clusterSize) + 12345, clusterSize);
        PieceCache cache = new PieceCache(MemoryImage.of(bytes), clusterSize, readAhead);
        Random random = new Random(clusterSize);
        List<long[]> ranges = new ArrayList<>(List.of(
                new long[] {0, 1}, new long[] {0, bytes.length}, new long[] {bytes.length - 1, 1},
                new long[] {PIECE - 1, 2}, new long[] {bytes.length - 12345, 12345}));
        for (int i = 0; i < 300; i++) {
            long offset = random.nextInt(bytes.length);
            int length = 1 + random.nextInt((int) Math.min(3 << 20, bytes.length - offset));
            ranges.add(new long[] {offset, length});
        }
        PieceLoan loan = new PieceLoan(18);
        for (long[] range : ranges) {
            assertThat(read(cache, range[0], (int) range[1])).as("%d bytes at %d", range[1], range[0])
                    .isEqualTo(slice(bytes, range[0], (int) range[1]));
            // lent, or (more pieces than the loan holds) copied into the answer buffer
            ByteBuffer dst = answerBuffer((int) range[1]);
            cache.lend(dst, range[0], loan);
            assertThat(dst.position()).isEqualTo(range[1]);
            assertThat(loan.segments() > 0 ? lent(loan) : bytesOf(dst, 0, (int) range[1]))
                    .as("%d bytes at %d, lent", range[1], range[0]).isEqualTo(slice(bytes, range[0], (int) range[1]));
            loan.release();
        }
    }

    @Test
    void lentPiecesStayInTheCacheUntilTheLoanIsReleasedAndTheAnswerBufferIsNotWritten() throws Exception {
        byte[] bytes = random(8 * PIECE, 20);
        PieceCache cache = inlineCache(bytes);
        PieceLoan loan = new PieceLoan(18);
        // the end of piece 0, piece 1, the start of piece 2
        ByteBuffer dst = answerBuffer(2 * PIECE);
        cache.lend(dst, PIECE - 10, loan);
        assertThat(loan.segments()).isEqualTo(3);
        assertThat(loan.length()).isEqualTo(2 * PIECE);
        assertThat(lent(loan)).isEqualTo(slice(bytes, PIECE - 10, 2 * PIECE));
        assertThat(bytesOf(dst, 0, dst.capacity())).containsOnly(UNTOUCHED);
        assertThat(cache.slotsInUse()).isEqualTo(3);
        loan.release();
        assertThat(cache.slotsInUse()).isZero();
        assertThat(loan.segments()).isZero();
        assertThat(loan.length()).isZero();
        // releasing an empty loan does nothing
        loan.release();
        assertThat(cache.slotsInUse()).isZero();
    }

    @Test
    void piecesNoFreeSlotCanHoldAreReadIntoTheAnswerBufferAndLentFromThere() throws Exception {
        int pieces = 200;
        byte[] bytes = random(pieces * PIECE, 21);
        PieceCache cache = inlineCache(bytes);
        PieceLoan loan = new PieceLoan(pieces);
        ByteBuffer dst = answerBuffer(pieces * PIECE);
        // one answer of every piece: the loan holds every slot before the end
        cache.lend(dst, 0, loan);
        assertThat(loan.segments()).isEqualTo(pieces);
        assertThat(lent(loan)).isEqualTo(bytes);
        int held = cache.slotsInUse();
        assertThat(held).isBetween(2, pieces - 1);
        // the pieces after the slots ran out were read into the answer buffer, and only they
        assertThat(bytesOf(dst, (pieces - 1) * PIECE, PIECE)).isEqualTo(slice(bytes, (pieces - 1L) * PIECE, PIECE));
        assertThat(bytesOf(dst, 0, PIECE)).containsOnly(UNTOUCHED);
        loan.release();
        assertThat(cache.slotsInUse()).isZero();
    }

    @Test
    void aRequestOfMorePiecesThanTheLoanHoldsIsCopiedAndTheLoanStaysEmpty() throws Exception {
        byte[] bytes = random(8 * PIECE, 22);
        PieceCache cache = inlineCache(bytes);
        PieceLoan loan = new PieceLoan(2);
        ByteBuffer dst = answerBuffer(3 * PIECE);
        cache.lend(dst, PIECE, loan);
        assertThat(loan.segments()).isZero();
        assertThat(bytesOf(dst, 0, 3 * PIECE)).isEqualTo(slice(bytes, PIECE, 3 * PIECE));
        assertThat(cache.slotsInUse()).isZero();
    }

    @Test
    void aFailedLendHandsBackThePiecesItHeld() throws Exception {
        byte[] bytes = random(8 * PIECE, 23);
        Faults faults = new Faults();
        MemoryImage image = image(bytes, faults);
        PieceCache cache = new PieceCache(image, 0, Runnable::run);
        PieceLoan loan = new PieceLoan(18);
        faults.error = new OutOfMemoryError("no room to inflate");
        faults.errorPiece = 2;
        assertThatThrownBy(() -> cache.lend(answerBuffer(4 * PIECE), 0, loan)).isInstanceOf(IOException.class)
                .hasMessageContaining("no room to inflate");
        assertThat(loan.segments()).isZero();
        assertThat(cache.slotsInUse()).isZero();
        faults.error = null;
        ByteBuffer dst = answerBuffer(4 * PIECE);
        cache.lend(dst, 0, loan);
        assertThat(lent(loan)).isEqualTo(slice(bytes, 0, 4 * PIECE));
        loan.release();
    }

    @Test
    void aSequentialReaderInSmallRequestsGetsEachPieceReadOnceAndAhead() throws Exception {
        byte[] bytes = random(64 * PIECE, 7);
        MemoryImage image = MemoryImage.of(bytes);
        PieceCache cache = new PieceCache(image, 0, readAhead);
        for (long at = 0; at < bytes.length; at += 4096) {
            assertThat(read(cache, at, 4096)).isEqualTo(slice(bytes, at, 4096));
        }
        assertThat(readsByPiece(image)).hasSize(64);
        assertThat(readsByPiece(image).values()).allSatisfy(count -> assertThat(count).isEqualTo(1L));
        // all but the first piece came from the read-ahead threads
        assertThat(image.readingThreads()).anySatisfy(
                thread -> assertThat(thread.getName()).startsWith("qcow4j-fuse-test-read-ahead-"));
    }

    @Test
    void smallRandomReadsOfOnePieceReadItOnce() throws Exception {
        byte[] bytes = random(16 * PIECE, 8);
        MemoryImage image = MemoryImage.of(bytes);
        PieceCache cache = new PieceCache(image, 0, readAhead);
        long base = 5L * PIECE;
        for (int at : new int[] {40000, 8, 65000, 1000, 30000}) {
            assertThat(read(cache, base + at, 500)).isEqualTo(slice(bytes, base + at, 500));
        }
        assertThat(readsByPiece(image)).containsOnlyKeys(5L);
        assertThat(readsByPiece(image).get(5L)).isEqualTo(1L);
    }

    @Test
    void aFailedPieceFailsItsReaderAndIsReadAgainNextTime() throws Exception {
        byte[] bytes = random(8 * PIECE, 9);
        Faults faults = new Faults();
        MemoryImage image = image(bytes, faults);
        PieceCache cache = new PieceCache(image, 0, Runnable::run);
        faults.failing = true;
        assertThatThrownBy(() -> read(cache, 3L * PIECE + 10, 3 * PIECE)).isInstanceOf(IOException.class)
                .hasMessageEndingWith("is corrupt");
        assertThat(cache.slotsInUse()).isZero();
        faults.failing = false;
        assertThat(read(cache, 3L * PIECE + 10, 3 * PIECE)).isEqualTo(slice(bytes, 3L * PIECE + 10, 3 * PIECE));
        assertThat(readsByPiece(image).keySet()).containsExactlyInAnyOrder(3L, 4L, 5L, 6L);
    }

    @Test
    void aReadAheadThatFailedLeavesThePieceForItsReaderToRead() throws Exception {
        byte[] bytes = random(8 * PIECE, 16);
        Faults faults = new Faults();
        MemoryImage image = image(bytes, faults);
        List<Runnable> readAheads = new ArrayList<>();
        PieceCache cache = new PieceCache(image, 0, readAheads::add);
        // the second request continues the first: pieces 2 to 7 are queued, then read ahead while the image fails
        read(cache, 0, PIECE);
        read(cache, PIECE, 10);
        int perTask = PieceCache.BATCH_BYTES / PIECE;
        assertThat(readAheads).as("six pieces in tasks of %d", perTask).hasSize((6 + perTask - 1) / perTask);
        faults.failing = true;
        readAheads.forEach(Runnable::run);
        faults.failing = false;
        assertThat(cache.slotsInUse()).isZero();
        assertThat(read(cache, 2L * PIECE, 6 * PIECE)).isEqualTo(slice(bytes, 2L * PIECE, 6 * PIECE));
        assertThat(readsByPiece(image)).containsOnlyKeys(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(readsByPiece(image).values()).allSatisfy(count -> assertThat(count).isEqualTo(1L));
        assertThat(image.readingThreads()).containsExactly(Thread.currentThread());
    }

    @Test
    void aReaderWaitingForAReadAheadThatFailsReadsThePieceItself() throws Exception {
        byte[] bytes = random(4 * PIECE, 17);
        HeldReads held = new HeldReads(thread -> thread.getName().startsWith("qcow4j-fuse-test-read-ahead-"));
        MemoryImage image = image(bytes, held);
        PieceCache cache = new PieceCache(image, 0, readAhead);
        ExecutorService readers = Executors.newFixedThreadPool(1);
        try {
            AtomicReference<Thread> readerThread = new AtomicReference<>();
            // its second piece goes to a read-ahead thread, held in the image, and the reader waits for it
            Future<byte[]> reader = readers.submit(() -> {
                readerThread.set(Thread.currentThread());
                return read(cache, PIECE - 10, 20);
            });
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                awaitWaitingForAPiece(readerThread);
                held.fail.countDown();
                assertThat(reader.get()).isEqualTo(slice(bytes, PIECE - 10, 20));
            });
        } finally {
            held.release();
            readers.shutdownNow();
        }
        assertThat(readsByPiece(image)).containsOnlyKeys(0L, 1L);
        assertThat(image.readingThreads()).noneSatisfy(
                thread -> assertThat(thread.getName()).startsWith("qcow4j-fuse-test-read-ahead-"));
    }

    /**
     * Holds the reads of the threads {@code held} accepts in the image until {@link #fail} is counted down, then fails
     * them; other threads read once a held one has begun.
     */
    private static final class HeldReads implements ReadHook {
        final CountDownLatch reading = new CountDownLatch(1);
        final CountDownLatch fail = new CountDownLatch(1);
        private final Predicate<Thread> held;

        HeldReads(Predicate<Thread> held) {
            this.held = held;
        }

        @Override
        public void beforeRead(long position, int length) throws IOException {
            try {
                if (held.test(Thread.currentThread())) {
                    reading.countDown();
                    fail.await();
                    throw new IOException("cluster at " + position + " is corrupt");
                }
                reading.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }

        void release() {
            reading.countDown();
            fail.countDown();
        }
    }

    /** Spins until the thread waits in {@code Object.wait}, which has no blocker (a latch has): for a piece. */
    private static void awaitWaitingForAPiece(AtomicReference<Thread> thread) {
        while (thread.get() == null || thread.get().getState() != Thread.State.WAITING
                || LockSupport.getBlocker(thread.get()) != null) {
            Thread.onSpinWait();
        }
    }

    @Test
    void withoutReadAheadThreadsEveryPieceIsReadByTheReader() throws Exception {
        byte[] bytes = random(40 * PIECE + 3, 10);
        MemoryImage image = MemoryImage.of(bytes);
        PieceCache cache = new PieceCache(image, 0, task -> {
            throw new RejectedExecutionException("shut down");
        });
        for (long at = 0; at < bytes.length; at += 1 << 20) {
            int length = (int) Math.min(1 << 20, bytes.length - at);
            assertThat(read(cache, at, length)).isEqualTo(slice(bytes, at, length));
        }
        assertThat(image.readingThreads()).containsExactly(Thread.currentThread());
    }

    @Test
    void concurrentReadersSeeTheImageBytes() throws Exception {
        byte[] bytes = random(200 * PIECE + 777, 11);
        PieceCache cache = new PieceCache(MemoryImage.of(bytes), 0, readAhead);
        ExecutorService readers = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                long seed = t;
                boolean sequential = t % 2 == 0;
                results.add(readers.submit(() -> {
                    Random random = new Random(seed);
                    long at = random.nextInt(bytes.length);
                    int checked = 0;
                    for (int i = 0; i < 400; i++) {
                        if (!sequential || at >= bytes.length) {
                            at = random.nextInt(bytes.length);
                        }
                        int length = 1 + random.nextInt((int) Math.min(300_000, bytes.length - at));
                        assertThat(read(cache, at, length)).isEqualTo(slice(bytes, at, length));
                        at += length;
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(400);
            }
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void anErrorWhileReadingAPieceFailsItsReaderAndLeavesNoSlotInUse() throws Exception {
        byte[] bytes = random(8 * PIECE, 12);
        Faults faults = new Faults();
        MemoryImage image = image(bytes, faults);
        PieceCache cache = new PieceCache(image, 0, Runnable::run);
        faults.errorPiece = 2;
        faults.error = new OutOfMemoryError("no memory for a decompressor");
        // the piece read inline, and the same piece read ahead for a sequential reader
        assertThatThrownBy(() -> read(cache, 2L * PIECE + 5, 100)).isInstanceOf(IOException.class)
                .hasMessageContaining("no memory for a decompressor");
        assertThat(read(cache, 0, PIECE)).isEqualTo(slice(bytes, 0, PIECE));
        assertThatThrownBy(() -> read(cache, PIECE, 2 * PIECE)).isInstanceOf(IOException.class)
                .hasMessageContaining("no memory for a decompressor");
        assertThat(cache.slotsInUse()).isZero();
        faults.error = null;
        assertThat(read(cache, 0, 8 * PIECE)).isEqualTo(bytes);
        assertThat(cache.slotsInUse()).isZero();
    }

    @Test
    void underSlotPressureConcurrentReadersSeeTheImageBytesAndReleaseEverySlot() throws Exception {
        // 1 MiB pieces: 16 slots, fewer than twelve readers of up to 3 MiB at once want
        int clusterSize = 1 << 20;
        byte[] bytes = random(40 << 20, 13);
        PieceCache cache = new PieceCache(MemoryImage.of(bytes), clusterSize, Runnable::run);
        ExecutorService readers = Executors.newFixedThreadPool(12);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                long seed = 100 + t;
                results.add(readers.submit(() -> {
                    Random random = new Random(seed);
                    long at = random.nextInt(bytes.length);
                    for (int i = 0; i < 30; i++) {
                        if (at >= bytes.length || random.nextInt(4) == 0) {
                            at = random.nextInt(bytes.length);
                        }
                        int length = 1 + random.nextInt((int) Math.min(3 << 20, bytes.length - at));
                        assertThat(read(cache, at, length)).isEqualTo(slice(bytes, at, length));
                        at += length;
                    }
                    return 30;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(30);
            }
        } finally {
            readers.shutdownNow();
        }
        assertThat(cache.slotsInUse()).isZero();
    }

    @Test
    void aFailedReadWakesTheReadersWaitingForThePiece() throws Exception {
        HeldReads held = new HeldReads(thread -> true);
        PieceCache cache = new PieceCache(image(random(4 * PIECE, 14), held), 0, Runnable::run);
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try {
            Future<?> loader = readers.submit(() -> read(cache, PIECE + 10, 10));
            held.reading.await();
            AtomicReference<Thread> waiter = new AtomicReference<>();
            Future<?> waiting = readers.submit(() -> {
                waiter.set(Thread.currentThread());
                return read(cache, PIECE + 30, 10); // not where the first ended: no read-ahead
            });
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                // the second reader finds the piece being read and waits for it
                awaitWaitingForAPiece(waiter);
                held.fail.countDown();
                for (Future<?> reader : List.of(loader, waiting)) {
                    assertThatThrownBy(reader::get).hasCauseInstanceOf(IOException.class)
                            .hasMessageEndingWith("is corrupt");
                }
            });
        } finally {
            held.release();
            readers.shutdownNow();
        }
        assertThat(cache.slotsInUse()).isZero();
    }

    @Test
    void aReaderReadsThePiecesWhoseReadAheadHasNotStartedItself() throws Exception {
        byte[] bytes = random(32 * PIECE, 15);
        MemoryImage image = MemoryImage.of(bytes);
        List<Runnable> queued = new ArrayList<>();
        PieceCache cache = new PieceCache(image, 0, queued::add);
        // a request of 16 pieces hands 15 to read-ahead that never starts; then a sequential one queues more
        assertThat(read(cache, 0, 16 * PIECE)).isEqualTo(slice(bytes, 0, 16 * PIECE));
        assertThat(read(cache, 16L * PIECE, 4 * PIECE)).isEqualTo(slice(bytes, 16L * PIECE, 4 * PIECE));
        assertThat(image.readingThreads()).containsExactly(Thread.currentThread());
        assertThat(queued).isNotEmpty();
        queued.forEach(Runnable::run);
        assertThat(cache.slotsInUse()).isZero();
        // the queued reads of pieces already read did nothing; the ones ahead read each piece once
        assertThat(readsByPiece(image).values()).allSatisfy(count -> assertThat(count).isEqualTo(1L));
        assertThat(read(cache, 20L * PIECE, 12 * PIECE)).isEqualTo(slice(bytes, 20L * PIECE, 12 * PIECE));
        assertThat(readsByPiece(image).values()).allSatisfy(count -> assertThat(count).isEqualTo(1L));
    }
}
