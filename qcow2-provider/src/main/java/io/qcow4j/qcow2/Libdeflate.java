package io.qcow4j.qcow2;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;

/**
 * The three libdeflate calls that inflate a whole buffer, bound from the system's {@code libdeflate.so.0}. Not API:
 * it is public only because jnr-ffi implements it in a class loader of its own, which cannot see package-private
 * types. Pointers travel as plain addresses so that a call allocates nothing.
 */
public interface Libdeflate {

    /** {@code enum libdeflate_result}. */
    int SUCCESS = 0;
    int BAD_DATA = 1;
    int SHORT_OUTPUT = 2;
    int INSUFFICIENT_SPACE = 3;

    /** Returns a {@code struct libdeflate_decompressor *}, or 0 when out of memory. */
    @IgnoreError
    @intptr_t
    long libdeflate_alloc_decompressor();

    /**
     * Inflates raw deflate from {@code in} into {@code out}; with {@code actualIn} and {@code actualOut} non-null it
     * stops at the end of the stream, reports the bytes consumed and produced, and never returns SHORT_OUTPUT.
     */
    @IgnoreError
    int libdeflate_deflate_decompress_ex(@intptr_t long decompressor, @intptr_t long in, @size_t long inBytes,
                                         @intptr_t long out, @size_t long outBytes, @intptr_t long actualIn,
                                         @intptr_t long actualOut);

    @IgnoreError
    void libdeflate_free_decompressor(@intptr_t long decompressor);

    /** Loads Debian's {@code libdeflate0}; throws {@link LinkageError} or another unchecked error when it cannot. */
    static Libdeflate load() {
        return LibraryLoader.create(Libdeflate.class).failImmediately().load("libdeflate.so.0");
    }
}
