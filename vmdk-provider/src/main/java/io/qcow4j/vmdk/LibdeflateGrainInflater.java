package io.qcow4j.vmdk;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.qcow4j.CorruptImageException;
import io.qcow4j.nativeaccess.Libdeflate;
import io.qcow4j.nativeaccess.NativeLibrary;

/**
 * zlib streams with libdeflate's {@code libdeflate_zlib_decompress}, about twice as fast as the JDK's zlib. It inflates
 * whole buffers between direct memory only: a heap buffer goes to {@link JdkGrainInflater}, as does the one case where
 * the two could disagree on a valid stream, a grain that inflates to more than its buffer holds (zlib says how much it
 * wrote before it stopped, libdeflate does not).
 */
final class LibdeflateGrainInflater implements GrainInflater {

    private static final Cleaner CLEANER = Cleaner.create();

    private final Libdeflate library;
    private final long handle;
    /** Where libdeflate reports actual_out_nbytes. */
    private final ByteBuffer actual = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final long actualAddress;
    private JdkGrainInflater jdk;

    LibdeflateGrainInflater(Libdeflate library) {
        this.library = library;
        long allocated = library.allocDecompressor();
        if (allocated == 0) {
            throw new OutOfMemoryError("libdeflate_alloc_decompressor failed");
        }
        this.handle = allocated;
        this.actualAddress = NativeLibrary.address(actual);
        // the decompressor lives as long as the thread that owns this instance; freed when the instance goes
        CLEANER.register(this, () -> library.freeDecompressor(allocated));
    }

    @Override
    public int inflate(ByteBuffer src, ByteBuffer dst) throws CorruptImageException {
        if (!src.isDirect() || !dst.isDirect()) {
            return jdk().inflate(src, dst);
        }
        int result = library.zlibDecompress(handle, NativeLibrary.address(src) + src.position(), src.remaining(),
                NativeLibrary.address(dst) + dst.position(), dst.remaining(), actualAddress);
        if (result == Libdeflate.INSUFFICIENT_SPACE) {
            // zlib tells the error as the contract words it
            return jdk().inflate(src, dst);
        }
        if (result != Libdeflate.SUCCESS) {
            throw new CorruptImageException("the compressed grain does not inflate as zlib (libdeflate result "
                    + result + ")");
        }
        int produced = (int) actual.getLong(0);
        src.position(src.limit());
        dst.position(dst.position() + produced);
        return produced;
    }

    private JdkGrainInflater jdk() {
        if (jdk == null) {
            jdk = new JdkGrainInflater();
        }
        return jdk;
    }
}
