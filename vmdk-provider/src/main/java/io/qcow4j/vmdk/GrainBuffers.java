package io.qcow4j.vmdk;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

/**
 * What a thread inflates grains with, one set per thread for all the VMDKs of a backing chain (shared through the
 * open context): its inflater, the compressed bytes of the grain it reads, and the last grain it inflated, so that
 * reading one grain in small pieces inflates it once. A thread reads one grain at a time, so the images of a chain
 * never need two sets at once; threads never share one.
 */
final class GrainBuffers {

    /** One thread's set, and which extent's grain {@code output} holds. */
    static final class Scratch {
        final GrainInflater inflater;
        ByteBuffer input = ByteBuffer.allocateDirect(0);
        ByteBuffer output = ByteBuffer.allocateDirect(0);
        Object holder;
        long grain = -1;

        Scratch(GrainInflater inflater) {
            this.inflater = inflater;
        }

        /** Makes room for grains of {@code grainBytes}, whose compressed form with its marker takes at most two. */
        Scratch fit(int grainBytes) {
            if (output.capacity() < grainBytes) {
                forget();
                input = ByteBuffer.allocateDirect(2 * grainBytes + 512);
                output = ByteBuffer.allocateDirect(grainBytes);
            }
            return this;
        }

        boolean holds(Object extent, long index) {
            return holder == extent && grain == index;
        }

        void holding(Object extent, long index) {
            holder = extent;
            grain = index;
        }

        void forget() {
            holding(null, -1);
        }
    }

    private final ThreadLocal<Scratch> scratch;

    GrainBuffers() {
        this(GrainInflaters.supplier());
    }

    GrainBuffers(Supplier<GrainInflater> inflaters) {
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(inflaters.get()));
    }

    /** This thread's set, large enough for grains of {@code grainBytes}. */
    Scratch forThisThread(int grainBytes) {
        return scratch.get().fit(grainBytes);
    }
}
