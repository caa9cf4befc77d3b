package io.qcow4j.nativeaccess;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One libdeflate decompressor, for one thread at a time, freed when it is no longer reachable (it lives as long as the
 * thread-local codec that holds it). It inflates a whole stream between direct buffers in one call; what to do with
 * a result other than {@link Libdeflate#SUCCESS} is the caller's (qcow2 and VMDK give those streams to zlib).
 */
public final class LibdeflateInflater {

    private static final Cleaner CLEANER = Cleaner.create();

    private final Libdeflate library;
    private final long handle;
    /** Where libdeflate reports actual_out_nbytes. */
    private final ByteBuffer actual = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final long actualAddress;

    /**
     * A decompressor of {@code library}.
     *
     * @param library the bound library
     */
    public LibdeflateInflater(Libdeflate library) {
        this.library = library;
        long allocated = library.allocDecompressor();
        if (allocated == 0) {
            throw new OutOfMemoryError("libdeflate_alloc_decompressor failed");
        }
        this.handle = allocated;
        this.actualAddress = NativeLibrary.address(actual);
        CLEANER.register(this, () -> library.freeDecompressor(allocated));
    }

    /**
     * Inflates the raw deflate stream in {@code src} (position to limit) into {@code dst} (position to limit), both
     * direct; positions are left as they were.
     *
     * @param src the stream
     * @param dst where it inflates to
     * @return libdeflate's result; {@link #produced()} says how many bytes it wrote on success
     */
    public int inflateRaw(ByteBuffer src, ByteBuffer dst) {
        return library.decompress(handle, NativeLibrary.address(src) + src.position(), src.remaining(),
                NativeLibrary.address(dst) + dst.position(), dst.remaining(), actualAddress);
    }

    /**
     * As {@link #inflateRaw} for a zlib stream (a header, raw deflate, an Adler-32 checksum libdeflate checks).
     *
     * @param src the stream
     * @param dst where it inflates to
     * @return libdeflate's result
     */
    public int inflateZlib(ByteBuffer src, ByteBuffer dst) {
        return library.zlibDecompress(handle, NativeLibrary.address(src) + src.position(), src.remaining(),
                NativeLibrary.address(dst) + dst.position(), dst.remaining(), actualAddress);
    }

    /**
     * The bytes the last successful call wrote.
     *
     * @return the count
     */
    public long produced() {
        return actual.getLong(0);
    }
}
