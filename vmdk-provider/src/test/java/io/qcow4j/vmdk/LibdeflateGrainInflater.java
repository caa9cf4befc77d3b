package io.qcow4j.vmdk;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallContextCache;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;

import io.qcow4j.CorruptImageException;

/**
 * zlib streams with libdeflate's {@code libdeflate_zlib_decompress}, bound through jffi: what the shared native
 * module's libdeflate will plug in behind {@link GrainInflater} when the branches merge. Here only to measure that
 * ({@link SpeedMain}) and to prove the contract holds for it too; direct buffers only.
 */
final class LibdeflateGrainInflater implements GrainInflater {

    private static final Cleaner CLEANER = Cleaner.create();
    private static final int SUCCESS = 0;
    private static final int INSUFFICIENT_SPACE = 3;

    private static final class Bound {
        static final Library LIBRARY = Library.getCachedInstance("libdeflate.so.0", Library.LAZY | Library.LOCAL);
        static final long ALLOC = symbol("libdeflate_alloc_decompressor");
        static final long DECOMPRESS = symbol("libdeflate_zlib_decompress");
        static final long FREE = symbol("libdeflate_free_decompressor");
        static final CallContext ALLOC_CALL = context(Type.POINTER);
        static final CallContext DECOMPRESS_CALL = context(Type.SINT, Type.POINTER, Type.POINTER, Type.ULONG,
                Type.POINTER, Type.ULONG, Type.POINTER);
        static final CallContext FREE_CALL = context(Type.VOID, Type.POINTER);

        private static long symbol(String name) {
            if (LIBRARY == null) {
                throw new UnsatisfiedLinkError("libdeflate.so.0: " + Library.getLastError());
            }
            return LIBRARY.getSymbolAddress(name);
        }

        private static CallContext context(Type result, Type... parameters) {
            return CallContextCache.getInstance().getCallContext(result, parameters, CallingConvention.DEFAULT,
                    false);
        }
    }

    private final long handle;
    private final ByteBuffer actual = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());

    LibdeflateGrainInflater() {
        long allocated = Invoker.getInstance().invokeN0(Bound.ALLOC_CALL, Bound.ALLOC);
        if (allocated == 0) {
            throw new OutOfMemoryError("libdeflate_alloc_decompressor failed");
        }
        handle = allocated;
        CLEANER.register(this, () -> Invoker.getInstance().invokeN1(Bound.FREE_CALL, Bound.FREE, allocated));
    }

    /** Whether libdeflate.so.0 loads here. */
    static boolean available() {
        try {
            return Bound.DECOMPRESS != 0;
        } catch (LinkageError e) {
            return false;
        }
    }

    @Override
    public int inflate(ByteBuffer src, ByteBuffer dst) throws CorruptImageException {
        MemoryIO memory = MemoryIO.getInstance();
        long in = memory.getDirectBufferAddress(src) + src.position();
        long out = memory.getDirectBufferAddress(dst) + dst.position();
        int result = (int) Invoker.getInstance().invokeN6(Bound.DECOMPRESS_CALL, Bound.DECOMPRESS, handle, in,
                src.remaining(), out, dst.remaining(), memory.getDirectBufferAddress(actual));
        if (result == INSUFFICIENT_SPACE) {
            throw new CorruptImageException("the compressed grain inflates to more than " + dst.remaining()
                    + " bytes");
        }
        if (result != SUCCESS) {
            throw new CorruptImageException("the compressed grain does not inflate (libdeflate result " + result
                    + ")");
        }
        int produced = (int) actual.getLong(0);
        src.position(src.limit());
        dst.position(dst.position() + produced);
        return produced;
    }
}
