package io.qcow4j.convert;

/**
 * Hears how far a conversion has got.
 *
 * <p>Called from the conversion's worker threads, never two calls at once, with {@code bytesDone} strictly growing:
 * the bytes counted include ranges skipped because they read as zero. The last call has
 * {@code bytesDone == totalBytes}, unless the conversion fails. Implementations should return quickly, since a
 * worker waits for the call.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores every report. */
    ProgressListener NONE = (bytesDone, totalBytes) -> { };

    /**
     * @param bytesDone  guest bytes converted so far, from 1 to {@code totalBytes}
     * @param totalBytes the source's virtual size
     */
    void progress(long bytesDone, long totalBytes);
}
