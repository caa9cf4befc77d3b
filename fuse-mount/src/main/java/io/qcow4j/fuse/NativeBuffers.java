package io.qcow4j.fuse;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;

/**
 * Views libfuse's reply buffer as a direct {@link ByteBuffer}, so the {@link PieceCache} copies straight into it: no
 * intermediate buffer. libfuse tends to hand each worker thread the same buffer request after request, so the view is
 * kept per thread and only rebuilt when the address or a larger size comes along.
 */
final class NativeBuffers {

    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private static final ThreadLocal<NativeBuffers> PER_THREAD = ThreadLocal.withInitial(NativeBuffers::new);

    private long address;
    private ByteBuffer view;

    private NativeBuffers() {
    }

    /** A buffer over {@code length} bytes at {@code address}, position 0 and limit {@code length}. */
    static ByteBuffer view(long address, int length) {
        return PER_THREAD.get().at(address, length);
    }

    private ByteBuffer at(long newAddress, int length) {
        if (view == null || address != newAddress || view.capacity() < length) {
            view = MEMORY.newDirectByteBuffer(newAddress, length);
            address = newAddress;
        }
        view.clear().limit(length);
        return view;
    }
}
