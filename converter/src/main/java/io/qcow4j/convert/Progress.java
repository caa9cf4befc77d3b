package io.qcow4j.convert;

/**
 * Adds up the bytes the workers finish and tells the listener. The lock keeps the reports in order, so that the
 * listener sees a strictly growing count even though workers finish out of order.
 */
final class Progress {

    private final long total;
    private final ProgressListener listener;
    private long done;

    Progress(long total, ProgressListener listener) {
        this.total = total;
        this.listener = listener;
    }

    synchronized void add(long bytes) {
        if (bytes > 0) {
            done += bytes;
            listener.progress(done, total);
        }
    }
}
