package io.qcow4j.qcow2;

import java.nio.file.Path;

import io.qcow4j.spi.ImageLimitException;

/**
 * The heap that the images of one backing chain may hold from the time they are opened: their L1 tables and
 * snapshot tables. QEMU's limits bound each image (32 MiB of L1 table, 64 MiB of snapshot table), but a hostile chain
 * of many images, each at the limits and sparse on disk, would hold gigabytes and end in an {@link OutOfMemoryError}.
 * A quarter of the heap for the whole chain is far beyond what real chains hold (a 16 TiB disk of 64 KiB clusters
 * has an L1 table of 256 KiB). Used by the one thread that opens the chain.
 */
final class ChainBudget {

    private final long limit;
    private long used;

    ChainBudget(long limit) {
        this.limit = limit;
    }

    /** A quarter of this JVM's heap. */
    static ChainBudget ofHeap() {
        return new ChainBudget(Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * Counts {@code bytes} more held for {@code image}'s {@code what}.
     *
     * @throws ImageLimitException when the chain's tables would then pass the limit
     */
    void charge(long bytes, Path image, String what) throws ImageLimitException {
        used += bytes;
        if (used > limit) {
            throw new ImageLimitException(image + ": its " + what + " (" + bytes + " bytes) would bring the tables"
                    + " its backing chain holds in memory to " + used + " bytes, over the " + limit + "-byte limit (a"
                    + " quarter of this JVM's heap)");
        }
    }
}
