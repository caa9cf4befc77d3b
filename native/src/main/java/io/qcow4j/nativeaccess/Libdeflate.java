package io.qcow4j.nativeaccess;

import com.kenai.jffi.Type;

import io.qcow4j.nativeaccess.NativeLibrary.Function;

/**
 * The libdeflate calls that inflate a whole buffer, raw deflate (qcow2's clusters) or zlib (VMDK's grains), and that
 * deflate one (the qcow2 writer's compressed clusters), bound from the system's {@code libdeflate.so.0}. Pointers
 * travel as plain addresses, so a call allocates nothing and copies nothing.
 *
 * <p>Optional: where {@code libdeflate.so.0} is not installed, or jffi's own stub library cannot load (a
 * {@code java.io.tmpdir} mounted {@code noexec}), {@link DeflateBackend} catches the failure once and every deflate
 * cluster is inflated by {@link java.util.zip.Inflater} instead: slower, never an error.
 */
public final class Libdeflate {

    /** {@code LIBDEFLATE_SUCCESS} of {@code enum libdeflate_result}. */
    public static final int SUCCESS = 0;
    /** {@code LIBDEFLATE_INSUFFICIENT_SPACE}: the stream inflates to more than the output holds. */
    public static final int INSUFFICIENT_SPACE = 3;

    private final Function alloc;
    private final Function decompress;
    private final Function zlibDecompress;
    private final Function free;
    private final Function allocCompressor;
    private final Function compress;
    private final Function compressBound;
    private final Function freeCompressor;

    private Libdeflate(NativeLibrary library) {
        // errno is never read, so no call needs to save it
        this.alloc = library.function("libdeflate_alloc_decompressor", false, Type.POINTER);
        this.decompress = library.function("libdeflate_deflate_decompress", false, Type.SINT,
                Type.POINTER, Type.POINTER, Type.ULONG, Type.POINTER, Type.ULONG, Type.POINTER);
        this.zlibDecompress = library.function("libdeflate_zlib_decompress", false, Type.SINT,
                Type.POINTER, Type.POINTER, Type.ULONG, Type.POINTER, Type.ULONG, Type.POINTER);
        this.free = library.function("libdeflate_free_decompressor", false, Type.VOID, Type.POINTER);
        this.allocCompressor = library.function("libdeflate_alloc_compressor", false, Type.POINTER, Type.SINT);
        this.compress = library.function("libdeflate_deflate_compress", false, Type.ULONG,
                Type.POINTER, Type.POINTER, Type.ULONG, Type.POINTER, Type.ULONG);
        this.compressBound = library.function("libdeflate_deflate_compress_bound", false, Type.ULONG,
                Type.POINTER, Type.ULONG);
        this.freeCompressor = library.function("libdeflate_free_compressor", false, Type.VOID, Type.POINTER);
    }

    /**
     * Loads Debian's {@code libdeflate0}; throws {@link LinkageError} or another unchecked error when it cannot.
     *
     * @return the bound library
     */
    public static Libdeflate load() {
        return new Libdeflate(NativeLibrary.open("libdeflate.so.0"));
    }

    /** {@code libdeflate_alloc_decompressor()}: a {@code struct libdeflate_decompressor *}, or 0 when out of memory. */
    public long allocDecompressor() {
        return alloc.call();
    }

    /**
     * {@code libdeflate_deflate_decompress}: inflates the raw deflate stream at {@code in} into {@code out}; with
     * {@code actualOut} non-zero it accepts a stream shorter than {@code outBytes} and stores the length produced
     * there. Input after the end of the stream is ignored.
     */
    public int decompress(long decompressor, long in, long inBytes, long out, long outBytes, long actualOut) {
        return (int) decompress.call(decompressor, in, inBytes, out, outBytes, actualOut);
    }

    /**
     * {@code libdeflate_zlib_decompress}: as {@link #decompress} for a zlib stream (RFC 1950: a header, raw deflate,
     * an Adler-32 checksum that libdeflate checks).
     */
    public int zlibDecompress(long decompressor, long in, long inBytes, long out, long outBytes, long actualOut) {
        return (int) zlibDecompress.call(decompressor, in, inBytes, out, outBytes, actualOut);
    }

    /** {@code libdeflate_free_decompressor}. */
    public void freeDecompressor(long decompressor) {
        free.call(decompressor);
    }

    /**
     * {@code libdeflate_alloc_compressor(level)}: a {@code struct libdeflate_compressor *} for levels 0 to 12, or 0
     * when out of memory or the level is outside them.
     */
    public long allocCompressor(int level) {
        return allocCompressor.call(level);
    }

    /**
     * {@code libdeflate_deflate_compress}: deflates the {@code inBytes} at {@code in} into a raw deflate stream (no
     * zlib header or checksum) of at most {@code outBytes} at {@code out}.
     *
     * @return the stream's length, or 0 when it does not fit in {@code outBytes}
     */
    public long compress(long compressor, long in, long inBytes, long out, long outBytes) {
        return compress.call(compressor, in, inBytes, out, outBytes);
    }

    /** {@code libdeflate_deflate_compress_bound}: the most bytes {@link #compress} can produce from {@code inBytes}. */
    public long compressBound(long compressor, long inBytes) {
        return compressBound.call(compressor, inBytes);
    }

    /** {@code libdeflate_free_compressor}. */
    public void freeCompressor(long compressor) {
        freeCompressor.call(compressor);
    }
}
