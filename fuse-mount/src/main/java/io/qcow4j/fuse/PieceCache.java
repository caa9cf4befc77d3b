package io.qcow4j.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.kenai.jffi.MemoryIO;

import io.qcow4j.Image;

/**
 * Answers the file's read requests from the guest bytes of recently read pieces of the image (a piece is a cluster, at
 * least 64 KiB), shared by every serving thread and read ahead of sequential readers, in the JVM rather than in the
 * kernel's page cache. Where the file is opened for direct I/O ({@link RawFileFs#useDirectIo}), the kernel neither
 * caches it nor reads ahead, and hands each {@code read} over as it was made, up to 1 MiB a request (with the page
 * cache, it hands over its own read-ahead, and this cache sits under it). Filling the page cache cost about a fifth
 * of the machine's CPU on a 2-core machine reading a deflate image (its pages are allocated, charged and added one by
 * one), for bytes a sequential reader wants once; here a piece is decompressed once, and the kernel copies it out
 * of the cache itself when the answer is lent ({@link #lend}, {@link ReadReplies}).
 *
 * <p>A request's pieces after its first are handed to the read-ahead threads (a few pieces a task) while the serving
 * thread reads the first, and it reads itself any of them no read-ahead thread has begun; a request that continues
 * where one before it ended also starts reading the next {@link #READ_AHEAD_BYTES} ahead. Read-ahead never replaces a
 * piece read ahead and not yet read (a reader does when it must); no piece is replaced while a thread copies out of
 * it or reads into it, nor while it is lent to an answer not yet sent.
 */
final class PieceCache {

    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    /** The smallest piece. */
    static final int MIN_PIECE = 64 * 1024;
    /**
     * How far ahead of a sequential reader pieces are read: four of {@code dd bs=1M}'s requests, which reads faster
     * with it than with 2 MiB.
     */
    static final int READ_AHEAD_BYTES = 4 << 20;
    /**
     * Pieces read ahead by one task, so that a sequential reader's read-ahead takes a few tasks a request rather than
     * one a piece: 256 KiB of them.
     */
    static final int BATCH_BYTES = 256 * 1024;
    /** Read-ahead streams remembered at once: several readers may go through the file side by side. */
    private static final int STREAMS = 8;

    private final Image image;
    private final long size;
    private final int piece;
    private final int window;
    private final int batch;
    private final Slot[] slots;
    /** The size of {@link #memory}, or 0 when each slot allocates its own. */
    private final int memorySize;
    /** The slots' bytes, one piece after another; guarded by this. */
    private ByteBuffer memory;
    private final Executor readAhead;
    private final long[] streamEnds = new long[STREAMS];
    /** The last piece read ahead for each stream. */
    private final long[] streamAhead = new long[STREAMS];
    private int nextStream;
    private long clock;

    /** One piece's bytes. Guarded by the {@link PieceCache} it belongs to. */
    static final class Slot {
        /** Which of the cache's slots it is: where its bytes lie in the cache's memory. */
        final int number;
        /** Set on first use. */
        ByteBuffer bytes;
        /** Where {@link #bytes} lie in memory, once allocated. */
        long address;
        /** The piece held, or -1 when the slot is free (or its piece failed to load). */
        long index = -1;
        /** A thread has begun reading the piece: a reader finding it unstarted reads it itself. */
        boolean started;
        boolean ready;
        /** Read ahead and not yet read by anyone: read-ahead never replaces it, a reader only when it must. */
        boolean unread;
        IOException failure;
        /**
         * Threads that will copy out of the slot or read into it, and loans whose answer is not yet sent: while there
         * are any, it is not replaced.
         */
        int users;
        long lastUse;

        Slot(int number) {
            this.number = number;
        }
    }

    /** A cache of pieces of {@code clusterSize} (at least {@link #MIN_PIECE}), read ahead by {@code readAhead}. */
    PieceCache(Image image, int clusterSize, Executor readAhead) {
        int pieceSize = Math.max(MIN_PIECE, clusterSize);
        this.image = image;
        this.size = image.size();
        this.piece = pieceSize;
        this.window = Math.max(2, READ_AHEAD_BYTES / pieceSize);
        this.batch = Math.max(1, BATCH_BYTES / pieceSize);
        // the window read ahead, the window being read, and room for random readers besides
        this.slots = new Slot[2 * window + STREAMS];
        // one block for all of them (see HugePages), allocated on first use; an image smaller than that gets a block
        // per slot as it is used, as its few pieces need few slots
        this.memorySize = size >= (long) slots.length * pieceSize ? slots.length * pieceSize : 0;
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(i);
        }
        this.readAhead = readAhead;
        Arrays.fill(streamEnds, -1);
    }

    /**
     * Fills {@code dst} (position to limit) with the image's bytes at {@code offset}; the range must lie below the
     * image's size.
     */
    void read(ByteBuffer dst, long offset) throws IOException {
        serve(dst, offset, null);
    }

    /**
     * Lends {@code loan} the image's bytes at {@code offset}, {@code dst.remaining()} of them, where they lie in the
     * cache's pieces: the pieces stay put until the loan is released. Bytes no slot can hold are read into
     * {@code dst} (a direct buffer) and lent from there; a range of more pieces than the loan has room for is copied
     * into {@code dst} instead, leaving the loan empty. On failure, the loan is released.
     */
    void lend(ByteBuffer dst, long offset, PieceLoan loan) throws IOException {
        try {
            serve(dst, offset, loan);
        } catch (IOException | RuntimeException | Error e) {
            loan.release();
            throw e;
        }
    }

    /** Copies the bytes into {@code dst}, or lends them to {@code loan} when there is one. */
    private void serve(ByteBuffer dst, long offset, PieceLoan loan) throws IOException {
        int length = dst.remaining();
        long first = offset / piece;
        long last = (offset + length - 1) / piece;
        if (loan != null && last - first + 1 > loan.capacity()) {
            // more pieces than the loan has room for: copied into dst, and the loan stays empty
            loan = null;
        }
        // the pieces after the first go to the read-ahead threads while this thread reads the first
        readAhead(first + 1, last);
        long aheadFrom = continueStream(offset, length, last + window);
        if (aheadFrom >= 0) {
            readAhead(Math.max(aheadFrom, last + 1), Math.min(last + window, (size - 1) / piece));
        }
        for (long index = first; index <= last; index++) {
            long pieceStart = index * piece;
            long from = Math.max(offset, pieceStart);
            // not pieceStart + piece, which overflows for the last piece of an image near 2^63 bytes
            int part = (int) (Math.min(offset + length, pieceStart + Math.min(piece, size - pieceStart)) - from);
            int inPiece = (int) (from - pieceStart);
            Slot slot = acquire(index);
            if (slot == null) {
                // every slot is in use: read this part straight from the image
                int at = dst.position();
                int limit = dst.limit();
                dst.limit(at + part);
                image.readFully(dst, from);
                dst.limit(limit);
                if (loan != null) {
                    loan.add(addressOf(dst) + at, part, this, null);
                }
                continue;
            }
            boolean lent = false;
            try {
                awaitReady(slot, index);
                if (loan != null) {
                    // the loan holds the slot from now on, and releases it once the answer is sent
                    loan.add(slot.address + inPiece, part, this, slot);
                    lent = true;
                } else {
                    dst.put(dst.position(), slot.bytes, inPiece, part);
                }
            } finally {
                if (!lent) {
                    release(slot);
                }
            }
            dst.position(dst.position() + part);
        }
    }

    /**
     * The slot holding piece {@code index}, counted as in use, once this thread has read the piece into it if nobody
     * had begun to (a slot taken for it, or one whose read-ahead is still queued). Null when every slot is in use.
     */
    private Slot acquire(long index) {
        Slot slot;
        synchronized (this) {
            slot = find(index);
            if (slot != null) {
                slot.users++;
                slot.lastUse = ++clock;
                slot.unread = false;
            } else {
                slot = claim(index, true);
                if (slot == null) {
                    return null;
                }
            }
            if (slot.started) {
                return slot;
            }
            slot.started = true;
        }
        load(slot, index, false);
        return slot;
    }

    /**
     * Queues reading pieces {@code first} to {@code last} that no slot holds, as far as slots that are neither in use
     * nor read ahead and unread allow, in tasks of up to {@link #batch} pieces.
     */
    private void readAhead(long first, long last) {
        long index = first;
        while (index <= last) {
            // allocated once a piece is claimed: most pieces a sequential reader asks for are already read ahead
            Slot[] claimed = null;
            int count = 0;
            boolean slotsLeft = true;
            synchronized (this) {
                for (; index <= last && count < batch; index++) {
                    if (find(index) == null) {
                        Slot slot = claim(index, false);
                        if (slot == null) {
                            slotsLeft = false;
                            break;
                        }
                        slot.unread = true;
                        if (claimed == null) {
                            claimed = new Slot[batch];
                        }
                        claimed[count++] = slot;
                    }
                }
            }
            if (count > 0 && !queue(claimed, count) || !slotsLeft) {
                return;
            }
        }
    }

    /**
     * Hands the first {@code count} of {@code claimed} to a read-ahead thread, which reads them in turn; false when
     * the mount is closing, and nobody will read ahead (a reader that wants one of the pieces reads it itself).
     */
    private boolean queue(Slot[] claimed, int count) {
        try {
            readAhead.execute(() -> {
                for (int i = 0; i < count; i++) {
                    Slot slot = claimed[i];
                    long index = start(slot);
                    if (index >= 0) {
                        load(slot, index, true);
                    }
                    release(slot);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                for (int i = 0; i < count; i++) {
                    if (!claimed[i].started) {
                        claimed[i].index = -1;
                    }
                    claimed[i].users--;
                }
            }
            return false;
        }
    }

    /**
     * The piece of a slot this thread holds, if this thread is the first to begin reading it; else -1. (A held slot
     * keeps its piece until it is started.)
     */
    private synchronized long start(Slot slot) {
        if (slot.started) {
            return -1;
        }
        slot.started = true;
        return slot.index;
    }

    /**
     * Reads piece {@code index} into {@code slot}, which this thread has started, and wakes its waiters. A reader's
     * failure is recorded in the slot for them, whatever it is: an {@link Error} left unrecorded would leave them
     * waiting forever, and the kernel request with them. A failed read-ahead ({@code ahead}) records nothing: it
     * hands the piece back unstarted, so that a request's answer comes from a read made for it, not from one made
     * earlier, perhaps while the image could not be read.
     */
    private void load(Slot slot, long index, boolean ahead) {
        long start = index * piece;
        int length = (int) Math.min(piece, size - start);
        try {
            synchronized (this) {
                if (slot.bytes == null) {
                    if (memorySize == 0) {
                        slot.bytes = ByteBuffer.allocateDirect(piece);
                    } else {
                        if (memory == null) {
                            memory = HugePages.allocate(memorySize);
                        }
                        slot.bytes = memory.slice(slot.number * piece, piece);
                    }
                    slot.address = addressOf(slot.bytes);
                }
            }
            image.readFully(slot.bytes.duplicate().clear().limit(length), start);
        } catch (Throwable e) {
            if (ahead) {
                abandon(slot);
            } else {
                fail(slot, e instanceof IOException io ? io
                        : new IOException("reading guest bytes at " + start + " failed: " + e, e));
            }
            return;
        }
        synchronized (this) {
            slot.ready = true;
            notifyAll();
        }
    }

    private synchronized void fail(Slot slot, IOException failure) {
        slot.failure = failure;
        // no longer found: the next reader of the piece tries again
        slot.index = -1;
        notifyAll();
    }

    /** Hands a piece whose read-ahead failed to a reader waiting for it, or frees its slot if none is. */
    private synchronized void abandon(Slot slot) {
        slot.started = false;
        // the read-ahead task is the slot's only user unless a reader has found it
        if (slot.users == 1) {
            slot.index = -1;
        }
        notifyAll();
    }

    /** Waits until the slot holds piece {@code index}, reading it here if its read-ahead failed. */
    private void awaitReady(Slot slot, long index) throws IOException {
        while (!awaitLoad(slot)) {
            load(slot, index, false);
        }
    }

    /**
     * Waits for the thread reading the slot's piece: true once the piece is in the slot, false (with the slot started
     * by this thread) when its read-ahead failed and this thread is to read it.
     */
    private synchronized boolean awaitLoad(Slot slot) throws IOException {
        boolean interrupted = false;
        while (!slot.ready && slot.failure == null && slot.started) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (slot.failure != null) {
            throw new IOException(slot.failure.getMessage(), slot.failure);
        }
        if (slot.ready) {
            return true;
        }
        slot.started = true;
        return false;
    }

    private synchronized void release(Slot slot) {
        slot.users--;
    }

    /** Releases the first {@code count} slots of {@code held}. */
    synchronized void release(Slot[] held, int count) {
        for (int i = 0; i < count; i++) {
            if (held[i] != null) {
                held[i].users--;
            }
        }
    }

    private static long addressOf(ByteBuffer direct) {
        return MEMORY.getDirectBufferAddress(direct);
    }

    /** Slots in use; none once every read has returned and nothing is being read ahead. */
    synchronized int slotsInUse() {
        int inUse = 0;
        for (Slot slot : slots) {
            if (slot.users > 0) {
                inUse++;
            }
        }
        return inUse;
    }

    private Slot find(long index) {
        for (Slot slot : slots) {
            if (slot.index == index) {
                return slot;
            }
        }
        return null;
    }

    /**
     * Takes a slot no thread uses for piece {@code index}, as in use and not started: a free one, else the least
     * recently used one that has been read, else (if {@code mayTakeUnread}) the least recently used one read ahead
     * and not yet read; null if there is none.
     */
    private Slot claim(long index, boolean mayTakeUnread) {
        Slot victim = null;
        for (Slot slot : slots) {
            if (slot.users == 0 && (mayTakeUnread || rank(slot) < 2) && (victim == null
                    || rank(slot) < rank(victim) || rank(slot) == rank(victim) && slot.lastUse < victim.lastUse)) {
                victim = slot;
            }
        }
        if (victim != null) {
            victim.index = index;
            victim.started = false;
            victim.ready = false;
            victim.unread = false;
            victim.failure = null;
            victim.users = 1;
            victim.lastUse = ++clock;
        }
        return victim;
    }

    /** Which slots go first: free ones, then ones read, then ones read ahead and waiting for their reader. */
    private static int rank(Slot slot) {
        return slot.index < 0 ? 0 : slot.unread ? 2 : 1;
    }

    /**
     * Records the request in the stream it continues (it starts where one of the last few requests ended: several are
     * remembered, for readers side by side and for threads of one reader that overtake each other), or in a new
     * stream. Returns the first piece not yet read ahead for the stream it continues, or -1 when it starts a stream;
     * the stream is then taken to be read ahead up to {@code aheadTo}.
     */
    private synchronized long continueStream(long offset, int length, long aheadTo) {
        for (int i = 0; i < STREAMS; i++) {
            if (streamEnds[i] == offset) {
                long from = streamAhead[i] + 1;
                streamEnds[i] = offset + length;
                streamAhead[i] = Math.max(streamAhead[i], aheadTo);
                return from;
            }
        }
        int stream = nextStream;
        nextStream = (nextStream + 1) % STREAMS;
        streamEnds[stream] = offset + length;
        streamAhead[stream] = -1;
        return -1;
    }

    /** A pool of {@code threads} daemon threads to read ahead with. */
    static ExecutorService readAheadPool(int threads, String name) {
        AtomicInteger counter = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "qcow4j-fuse-" + name + "-read-ahead-" + counter.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
    }
}
