package io.qcow4j.convert;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Adds up the bytes the workers finish and tells the listener, one call at a time and with a strictly growing count,
 * although workers finish out of order.
 *
 * <p>A worker that finds another one reporting does not wait for it: the reporter looks at the count again after
 * letting go of the lock, so the last count is always reported. Workers thus never queue on a lock, which on a busy
 * machine would make them wait for a descheduled reporter.
 */
final class Progress {

    private final long total;
    private final ProgressListener listener;
    private final AtomicLong done = new AtomicLong();
    private final ReentrantLock reporting = new ReentrantLock();
    /** Written only under {@link #reporting}. */
    private volatile long reported;

    Progress(long total, ProgressListener listener) {
        this.total = total;
        this.listener = listener;
    }

    void add(long bytes) {
        if (bytes <= 0 || listener == ProgressListener.NONE) {
            return;
        }
        done.addAndGet(bytes);
        while (reported < done.get()) {
            if (!reporting.tryLock()) {
                // the holder checks the count again after unlocking
                return;
            }
            try {
                long current = done.get();
                if (current > reported) {
                    listener.progress(current, total);
                    reported = current;
                }
            } finally {
                reporting.unlock();
            }
        }
    }
}
