package io.qcow4j.qcow2;

import com.kenai.jffi.Type;

import io.qcow4j.nativeaccess.NativeLibrary;
import io.qcow4j.nativeaccess.NativeLibrary.Function;

/**
 * The three libdeflate calls that inflate a whole buffer, bound from the system's {@code libdeflate.so.0}. Not API:
 * it is public only so that the benchmarks can load it. Pointers travel as plain addresses, so a call allocates
 * nothing and copies nothing.
 *
 * <p>Optional: where {@code libdeflate.so.0} is not installed, or jffi's own stub library cannot load (a
 * {@code java.io.tmpdir} mounted {@code noexec}), {@link DeflateBackend} catches the failure once and every deflate
 * cluster is inflated by {@link java.util.zip.Inflater} instead: slower, never an error.
 */
public final class Libdeflate {

    /** {@code LIBDEFLATE_SUCCESS} of {@code enum libdeflate_result}; every other result sends the cluster to zlib. */
    static final int SUCCESS = 0;

    private final Function alloc;
    private final Function decompress;
    private final Function free;

    private Libdeflate(NativeLibrary library) {
        // errno is never read, so no call needs to save it
        this.alloc = library.function("libdeflate_alloc_decompressor", false, Type.POINTER);
        this.decompress = library.function("libdeflate_deflate_decompress", false, Type.SINT,
                Type.POINTER, Type.POINTER, Type.ULONG, Type.POINTER, Type.ULONG, Type.POINTER);
        this.free = library.function("libdeflate_free_decompressor", false, Type.VOID, Type.POINTER);
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
    long allocDecompressor() {
        return alloc.call();
    }

    /**
     * {@code libdeflate_deflate_decompress}: inflates the raw deflate stream at {@code in} into {@code out}; with
     * {@code actualOut} non-zero it accepts a stream shorter than {@code outBytes} and stores the length produced
     * there. Input after the end of the stream is ignored.
     */
    int decompress(long decompressor, long in, long inBytes, long out, long outBytes, long actualOut) {
        return (int) decompress.call(decompressor, in, inBytes, out, outBytes, actualOut);
    }

    void freeDecompressor(long decompressor) {
        free.call(decompressor);
    }
}
