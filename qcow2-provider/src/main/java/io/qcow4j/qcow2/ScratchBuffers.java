package io.qcow4j.qcow2;

import java.nio.ByteBuffer;

/**
 * The buffers a thread decompresses clusters with, one pair per thread for all the images of a backing chain: per
 * image, a chain of a hundred images with compressed clusters of 2 MiB would take 600 MiB of direct memory per
 * thread. A thread reads one cluster of one image at a time, so the images never need them at once.
 */
final class ScratchBuffers {

    /** One thread's buffers, and which image's cluster {@code output} holds. */
    static final class Scratch {
        ByteBuffer input = ByteBuffer.allocateDirect(0);
        ByteBuffer output = ByteBuffer.allocateDirect(0);
        Object holder;
        long entry = -1;

        /** Makes room for clusters of {@code clusterSize} bytes, whose compressed form takes at most two. */
        Scratch fit(int clusterSize) {
            if (output.capacity() < clusterSize) {
                forget();
                input = ByteBuffer.allocateDirect(2 * clusterSize);
                output = ByteBuffer.allocateDirect(clusterSize);
            }
            return this;
        }

        boolean holds(Object image, long clusterEntry) {
            return holder == image && entry == clusterEntry;
        }

        void holding(Object image, long clusterEntry) {
            holder = image;
            entry = clusterEntry;
        }

        void forget() {
            holding(null, -1);
        }
    }

    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** This thread's buffers, large enough for clusters of {@code clusterSize} bytes. */
    Scratch forThisThread(int clusterSize) {
        return scratch.get().fit(clusterSize);
    }
}
