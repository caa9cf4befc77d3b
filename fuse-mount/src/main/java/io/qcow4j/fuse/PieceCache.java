package io.qcow4j.fuse;

import io.qcow4j.spi.Image;
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

/**
 * Answers the file's read requests from the guest bytes of recently read pieces of the image (a piece is a cluster, at
 * least 64 KiB), shared by every serving thread and read ahead of sequential readers, in the JVM rather than in the
 * kernel's page cache. The file is opened for direct I/O: the kernel neither caches it nor reads ahead, and hands
 * each {@code read} over as it was made, up to 1 MiB a request. Filling the page cache cost about a fifth of the
 * machine's CPU on a 2-core machine reading a deflate image (its pages are allocated, charged and added one by one),
 * for bytes a sequential reader wants once; here a piece is decompressed once and copied out once.
 *
 * <p>A request's pieces after its first are handed to the read-ahead threads while the serving thread reads the
 * first; a request that continues where one before it ended (or starts the file) also starts reading the next
 * {@link #READ_AHEAD_BYTES} ahead. A piece read ahead and not yet read is replaced only when no other slot can be;
 * no piece is replaced while a thread copies out of it or reads into it.
 */
final class PieceCache {

    /** The smallest piece. */
    static final int MIN_PIECE = 64 * 1024;
    /**
     * How far ahead of a sequential reader pieces are read: four of {@code dd bs=1M}'s requests, which reads faster
     * with it than with 2 MiB.
     */
    static final int READ_AHEAD_BYTES = 4 << 20;
    /** Read-ahead streams remembered at once: several readers may go through the file side by side. */
    private static final int STREAMS = 8;

    private final Image image;
    private final long size;
    private final int piece;
    private final int window;
    private final Slot[] slots;
    private final Executor readAhead;
    private final long[] streamEnds = new long[STREAMS];
    /** The last piece read ahead for each stream. */
    private final long[] streamAhead = new long[STREAMS];
    private int nextStream;
    private long clock;

    /** One piece's bytes. Guarded by the {@link PieceCache} it belongs to. */
    private static final class Slot {
        /** Allocated on first use: a small image uses few slots. */
        ByteBuffer bytes;
        /** The piece held, or -1 when the slot is free. */
        long index = -1;
        int length;
        boolean ready;
        /** Read ahead and not yet read by anyone: replaced only when no other slot can be. */
        boolean unread;
        IOException failure;
        /** Threads copying out of the slot or reading into it: while there are any, it is not replaced. */
        int users;
        long lastUse;

    }

    /** A cache of pieces of {@code clusterSize} (at least {@link #MIN_PIECE}), read ahead by {@code readAhead}. */
    PieceCache(Image image, int clusterSize, Executor readAhead) {
        int pieceSize = Math.max(MIN_PIECE, clusterSize);
        this.image = image;
        this.size = image.size();
        this.piece = pieceSize;
        this.window = Math.max(2, READ_AHEAD_BYTES / pieceSize);
        // the window read ahead, the window being read, and room for random readers besides
        this.slots = new Slot[2 * window + STREAMS];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot();
        }
        this.readAhead = readAhead;
        Arrays.fill(streamEnds, -1);
    }

    /**
     * Fills {@code dst} (position to limit) with the image's bytes at {@code offset}; the range must lie below the
     * image's size.
     */
    void read(ByteBuffer dst, long offset) throws IOException {
        int length = dst.remaining();
        long first = offset / piece;
        long last = (offset + length - 1) / piece;
        // the pieces after the first go to the read-ahead threads while this thread reads the first
        readAhead(first + 1, last);
        long aheadFrom = continueStream(offset, length, last + window);
        if (aheadFrom >= 0) {
            readAhead(Math.max(aheadFrom, last + 1), Math.min(last + window, (size - 1) / piece));
        }
        for (long index = first; index <= last; index++) {
            long pieceStart = index * piece;
            long from = Math.max(offset, pieceStart);
            long to = Math.min(offset + length, pieceStart + piece);
            Slot slot = acquire(index);
            if (slot == null) {
                // every slot is in use: read this part straight from the image
                int limit = dst.limit();
                dst.limit(dst.position() + (int) (to - from));
                fill(dst, from);
                dst.limit(limit);
                continue;
            }
            try {
                awaitReady(slot);
                dst.put(dst.position(), slot.bytes, (int) (from - pieceStart), (int) (to - from));
                dst.position(dst.position() + (int) (to - from));
            } finally {
                release(slot);
            }
        }
    }

    /**
     * The slot holding piece {@code index}, counted as in use; when it holds no slot, a slot is taken for it and the
     * piece read into it by this thread. Null when every slot is in use.
     */
    private Slot acquire(long index) throws IOException {
        Slot slot;
        synchronized (this) {
            slot = find(index);
            if (slot != null) {
                slot.users++;
                slot.lastUse = ++clock;
                slot.unread = false;
                return slot;
            }
            slot = claim(index);
            if (slot == null) {
                return null;
            }
        }
        try {
            load(slot, index);
        } catch (IOException | RuntimeException e) {
            release(slot);
            throw e;
        }
        return slot;
    }

    /** Starts reading pieces {@code first} to {@code last} that no slot holds, as far as free slots allow. */
    private void readAhead(long first, long last) {
        for (long index = first; index <= last; index++) {
            Slot slot;
            synchronized (this) {
                if (find(index) != null) {
                    continue;
                }
                slot = claim(index);
                if (slot == null) {
                    return;
                }
                slot.unread = true;
            }
            long claimed = index;
            try {
                readAhead.execute(() -> {
                    try {
                        load(slot, claimed);
                    } catch (IOException e) {
                        // recorded in the slot: a reader that wants the piece gets the error
                    } finally {
                        release(slot);
                    }
                });
            } catch (RejectedExecutionException e) {
                // unmounting: the pool is shut down
                fail(slot, new IOException("the mount is closing"));
                release(slot);
                return;
            }
        }
    }

    /** Reads piece {@code index} into {@code slot}, which this thread has claimed, and wakes its waiters. */
    private void load(Slot slot, long index) throws IOException {
        long start = index * piece;
        int length = (int) Math.min(piece, size - start);
        ByteBuffer target = slot.bytes.duplicate().clear().limit(length);
        try {
            fill( target, start);
        } catch (IOException | RuntimeException e) {
            IOException failure = e instanceof IOException io ? io : new IOException(e);
            fail(slot, failure);
            throw failure;
        }
        synchronized (this) {
            slot.length = length;
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

    private synchronized void awaitReady(Slot slot) throws IOException {
        boolean interrupted = false;
        while (!slot.ready && slot.failure == null) {
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
            throw slot.failure;
        }
    }

    private synchronized void release(Slot slot) {
        slot.users--;
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
     * Takes a slot no thread uses for piece {@code index}, as in use: a free one, else the least recently used one
     * that has been read, else the least recently used one read ahead; null if every slot is in use.
     */
    private Slot claim(long index) {
        Slot victim = null;
        for (Slot slot : slots) {
            if (slot.users == 0 && (victim == null || rank(slot) < rank(victim)
                    || rank(slot) == rank(victim) && slot.lastUse < victim.lastUse)) {
                victim = slot;
            }
        }
        if (victim != null) {
            if (victim.bytes == null) {
                victim.bytes = ByteBuffer.allocateDirect(piece);
            }
            victim.index = index;
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
     * stream. Returns the first piece not yet read ahead for the stream it continues, or the first piece when it
     * starts the file; -1 when it does neither. The stream is then taken to be read ahead up to {@code aheadTo}.
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
        if (offset == 0) {
            streamAhead[stream] = aheadTo;
            return 0;
        }
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

    /**
     * Reads {@code image}'s bytes at {@code offset} into {@code dst}, from its position to its limit. The range must
     * lie below the image's size.
     */
    private void fill(ByteBuffer dst, long offset) throws IOException {
        long start = offset - dst.position();
        while (dst.hasRemaining()) {
            if (image.read(dst, start + dst.position()) < 0) {
                // an image is never shorter than its size: a provider that says so has broken its contract
                throw new IOException("the image ended at " + (start + dst.position()) + ", before its size " + size);
            }
        }
    }
}
