package io.qcow4j.fuse;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;

/**
 * How many guest bytes hold data, for {@code st_blocks} (so {@code du} shows the sparse size). Counted once, in the
 * background from the moment of mount, because a large image takes a while even though block status is cheap.
 */
final class AllocatedBytes {

    /** How long a {@code stat} waits for the count before answering with the virtual size instead. */
    private static final long WAIT_MILLIS = 5_000;

    private final CompletableFuture<Long> count;
    private final long fallback;

    private AllocatedBytes(CompletableFuture<Long> count, long fallback) {
        this.count = count;
        this.fallback = fallback;
    }

    static AllocatedBytes countInBackground(Image image) {
        CompletableFuture<Long> count = new CompletableFuture<>();
        Thread counter = new Thread(() -> {
            try {
                count.complete(count(image));
            } catch (Throwable e) {
                count.completeExceptionally(e);
            }
        }, "qcow4j-fuse-allocation");
        counter.setDaemon(true);
        counter.start();
        return new AllocatedBytes(count, image.size());
    }

    static long count(Image image) throws java.io.IOException {
        long size = image.size();
        long data = 0;
        long at = 0;
        while (at < size) {
            BlockStatus run = image.blockStatus(at, size - at);
            if (run.allocation() == Allocation.DATA) {
                data += run.length();
            }
            at = run.end();
        }
        return data;
    }

    /** The data bytes, or the virtual size when counting failed or takes too long. */
    long get() {
        try {
            return count.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback;
        } catch (ExecutionException | TimeoutException e) {
            return fallback;
        }
    }

    /** {@code st_blocks}: 512-byte units. */
    long blocks() {
        return (get() + 511) / 512;
    }
}
