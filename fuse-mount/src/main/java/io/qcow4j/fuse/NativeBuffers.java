package io.qcow4j.fuse;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;

/**
 * Views libfuse's reply buffers as direct {@link ByteBuffer}s, so the image reads straight into them: no copy and no
 * intermediate buffer. libfuse hands each serving thread the same buffer request after request, and a helper thread
 * works in the buffers of the few serving threads, so each thread keeps views of the last few addresses it saw and
 * builds a new one only for an address it has not seen lately, or for a larger size.
 */
final class NativeBuffers {

    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    /** More than the serving threads a helper works for on a 2-core machine, and few enough to search in a loop. */
    private static final int VIEWS = 16;

    private static final ThreadLocal<NativeBuffers> PER_THREAD = ThreadLocal.withInitial(NativeBuffers::new);

    private final long[] addresses = new long[VIEWS];
    private final ByteBuffer[] views = new ByteBuffer[VIEWS];
    private int replaceNext;

    private NativeBuffers() {
    }

    /** A buffer over {@code length} bytes at {@code address}, position 0 and limit {@code length}. */
    static ByteBuffer view(long address, int length) {
        return PER_THREAD.get().at(address, length);
    }

    private ByteBuffer at(long address, int length) {
        for (int i = 0; i < VIEWS; i++) {
            if (views[i] != null && addresses[i] == address && views[i].capacity() >= length) {
                return views[i].clear().limit(length);
            }
        }
        int slot = replaceNext;
        replaceNext = (replaceNext + 1) % VIEWS;
        addresses[slot] = address;
        views[slot] = MEMORY.newDirectByteBuffer(address, length);
        return views[slot];
    }
}
