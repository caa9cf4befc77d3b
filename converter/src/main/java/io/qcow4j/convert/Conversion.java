package io.qcow4j.convert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.qcow4j.Image;

/**
 * A conversion under way, started by {@link Converter#start}: cancel it, or wait for its end.
 *
 * <p>Safe to use from any thread. The workers are platform daemon threads named {@code qcow4j-convert-N}.
 */
public final class Conversion {

    private static final AtomicInteger THREAD_NUMBERS = new AtomicInteger();

    private final Image source;
    private final TargetFile target;
    private final ConvertOptions options;
    private final long size;
    private final AtomicLong nextSegment = new AtomicLong();
    private final AtomicReference<ConversionException> failure = new AtomicReference<>();
    private final AtomicInteger running = new AtomicInteger();
    private final CompletableFuture<ConvertResult> end = new CompletableFuture<>();
    private final Progress progress;
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder bytesZero = new LongAdder();
    private volatile boolean stopping;

    private Conversion(Image source, TargetFile target, ConvertOptions options) {
        this.source = source;
        this.target = target;
        this.options = options;
        this.size = target.size();
        this.progress = new Progress(size, options.progress());
    }

    static Conversion start(Image source, TargetFile target, ConvertOptions options) {
        Conversion conversion = new Conversion(source, target, options);
        long segments = (conversion.size + options.segmentSize() - 1) / options.segmentSize();
        int workers = (int) Math.min(options.workers(), segments);
        if (workers == 0) {
            conversion.finish();
            return conversion;
        }
        conversion.running.set(workers);
        // one block of zeros that every worker's zero detection compares against, read only
        ByteBuffer zeros = options.sparseSize() == 0 ? null
                : ByteBuffer.allocateDirect(options.bufferSize()).asReadOnlyBuffer();
        for (int i = 0; i < workers; i++) {
            Thread thread = new Thread(new Worker(conversion, zeros), "qcow4j-convert-" + THREAD_NUMBERS.incrementAndGet());
            thread.setDaemon(true);
            thread.start();
        }
        return conversion;
    }

    /**
     * Asks the workers to stop; returns at once. Each stops before its next read or write. The conversion then ends
     * with {@link ConversionCancelledException} (wrapped in {@link TargetIncompleteException} for an existing target),
     * unless it had already ended. Calling it again does nothing.
     */
    public void cancel() {
        fail(new ConversionCancelledException("conversion cancelled"));
    }

    /**
     * Waits for the conversion to end and its target to be closed (or deleted).
     *
     * @return what the conversion did
     * @throws ConversionCancelledException when it was cancelled, also by interrupting the waiting thread, whose
     *                                      interrupt status is set again
     * @throws TargetIncompleteException    when an existing target was left partly written
     * @throws ConversionException          when it failed; the message names the source's or the target's error
     */
    public ConvertResult await() throws ConversionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return end.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancel();
                } catch (ExecutionException e) {
                    throw (ConversionException) e.getCause();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * True once the conversion has ended, successfully or not, and the target is closed.
     *
     * @return whether the conversion has ended
     */
    public boolean isDone() {
        return end.isDone();
    }

    /**
     * Completes with the result, or exceptionally with the {@link ConversionException} that {@link #await()} would
     * throw (which dependent stages see wrapped in a {@link java.util.concurrent.CompletionException}, as usual).
     * Cancelling this stage does not cancel the conversion: use {@link #cancel()}.
     *
     * @return the stage that completes with the conversion
     */
    public CompletionStage<ConvertResult> completion() {
        return end.minimalCompletionStage();
    }

    /**
     * The target being written.
     *
     * @return the target file
     */
    public Path target() {
        return target.path();
    }

    // --- for the workers

    Image source() {
        return source;
    }

    TargetFile targetFile() {
        return target;
    }

    ConvertOptions options() {
        return options;
    }

    long size() {
        return size;
    }

    /** The start of the next segment to copy, or a value at or past the size when all are handed out. */
    long claimSegment() {
        return nextSegment.getAndAdd(options.segmentSize());
    }

    boolean stopping() {
        return stopping;
    }

    void read(long bytes) {
        bytesRead.add(bytes);
    }

    void written(long bytes) {
        bytesWritten.add(bytes);
    }

    void zero(long bytes) {
        bytesZero.add(bytes);
    }

    void done(long bytes) {
        progress.add(bytes);
    }

    /** Records the first failure; later ones only follow from the stop it causes. */
    void fail(ConversionException e) {
        failure.compareAndSet(null, e);
        stopping = true;
    }

    void workerEnded() {
        if (running.decrementAndGet() == 0) {
            finish();
        }
    }

    /** Runs once, on the last worker to end: closes the target, or on failure deletes it or declares it incomplete. */
    private void finish() {
        if (failure.get() == null) {
            try {
                target.finish(options.sync());
                end.complete(new ConvertResult(size, bytesRead.sum(), bytesWritten.sum(), bytesZero.sum()));
                return;
            } catch (IOException e) {
                fail(Failures.target(target.path(), "closing", -1, e));
            }
        }
        ConversionException cause = failure.get();
        IOException cleanup = target.abandon();
        if (cleanup != null) {
            cause.addSuppressed(cleanup);
        }
        end.completeExceptionally(target.created() ? cause : new TargetIncompleteException(target.path(), cause));
    }
}
