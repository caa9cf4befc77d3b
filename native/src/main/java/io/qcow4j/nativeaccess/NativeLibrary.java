package io.qcow4j.nativeaccess;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallContextCache;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;

/**
 * A system library whose C functions are called through jffi directly. jnr-ffi's interface binding would be shorter
 * to write, but it generates and assembles a stub class at load time, which costs a tenth of a second or more of
 * every short command; jffi only resolves symbols. Arguments travel as 64-bit integers (addresses for pointers),
 * so a call allocates nothing.
 *
 * <p>Where jffi's own stub library cannot load (no build for this machine, or a {@code java.io.tmpdir} mounted
 * {@code noexec}, where jffi extracts it), every method here throws a {@link LinkageError}: callers catch it once and
 * do without the library.
 */
public final class NativeLibrary {

    private final String file;
    /** jffi's handle; jffi keeps a weak cache of these, so this reference is what keeps the library loaded. */
    private final Library library;

    private NativeLibrary(String file, Library library) {
        this.file = file;
        this.library = library;
    }

    /**
     * Opens {@code file} ({@code libdeflate.so.0}, say); throws {@link UnsatisfiedLinkError} when it cannot.
     *
     * @param file the library's file name, found as {@code dlopen(3)} finds it
     * @return the library
     */
    public static NativeLibrary open(String file) {
        Library library = Library.getCachedInstance(file, Library.LAZY | Library.LOCAL);
        if (library == null) {
            throw new UnsatisfiedLinkError(file + ": " + Library.getLastError());
        }
        return new NativeLibrary(file, library);
    }

    /**
     * The {@code errno} that the last call on this thread left, for functions resolved with {@code saveErrno}.
     *
     * @return the error number
     */
    public static int errno() {
        return LastError.getInstance().get();
    }

    /**
     * Where a direct buffer's memory starts, to pass it to C.
     *
     * @param direct a direct buffer
     * @return its address
     */
    public static long address(ByteBuffer direct) {
        return MemoryIO.getInstance().getDirectBufferAddress(direct);
    }

    /**
     * The NUL-terminated string at {@code address}, decoded with {@code charset}.
     *
     * @param address the string's first byte
     * @param charset its encoding
     * @return the string
     */
    public static String string(long address, Charset charset) {
        return new String(MemoryIO.getInstance().getZeroTerminatedByteArray(address), charset);
    }

    /**
     * The function {@code name} returning {@code result} and taking {@code parameters}; {@code saveErrno} keeps the
     * call's {@code errno} for {@link #errno()}. Throws {@link UnsatisfiedLinkError} when it is missing.
     *
     * @param name the function's symbol
     * @param saveErrno whether to keep {@code errno}
     * @param result the return type
     * @param parameters the parameter types
     * @return the function
     */
    public Function function(String name, boolean saveErrno, Type result, Type... parameters) {
        long address = library.getSymbolAddress(name);
        if (address == 0) {
            throw new UnsatisfiedLinkError(file + " has no symbol " + name + ": " + Library.getLastError());
        }
        return new Function(this, address, CallContextCache.getInstance().getCallContext(result, parameters,
                CallingConvention.DEFAULT, saveErrno));
    }

    /** One resolved C function; integer and pointer arguments only. */
    public static final class Function {
        private static final Invoker INVOKER = Invoker.getInstance();

        /** Held so that the library stays loaded while its functions can be called, should jffi ever unload it. */
        private final NativeLibrary library;
        private final long address;
        private final CallContext context;

        private Function(NativeLibrary library, long address, CallContext context) {
            this.library = library;
            this.address = address;
            this.context = context;
        }

        /**
         * Calls the function with no argument.
         *
         * @return its result, widened to a long
         */
        public long call() {
            return INVOKER.invokeN0(context, address);
        }

        /**
         * Calls the function with one argument.
         *
         * @param a the first argument
         * @return its result, widened to a long
         */
        public long call(long a) {
            return INVOKER.invokeN1(context, address, a);
        }

        /**
         * Calls the function with two arguments.
         *
         * @param a the first argument
         * @param b the second
         * @return its result, widened to a long
         */
        public long call(long a, long b) {
            return INVOKER.invokeN2(context, address, a, b);
        }

        /**
         * Calls the function with three arguments.
         *
         * @param a the first argument
         * @param b the second
         * @param c the third
         * @return its result, widened to a long
         */
        public long call(long a, long b, long c) {
            return INVOKER.invokeN3(context, address, a, b, c);
        }

        /**
         * Calls the function with four arguments.
         *
         * @param a the first argument
         * @param b the second
         * @param c the third
         * @param d the fourth
         * @return its result, widened to a long
         */
        public long call(long a, long b, long c, long d) {
            return INVOKER.invokeN4(context, address, a, b, c, d);
        }

        /**
         * Calls the function with five arguments.
         *
         * @param a the first argument
         * @param b the second
         * @param c the third
         * @param d the fourth
         * @param e the fifth
         * @return its result, widened to a long
         */
        public long call(long a, long b, long c, long d, long e) {
            return INVOKER.invokeN5(context, address, a, b, c, d, e);
        }

        /**
         * Calls the function with six arguments.
         *
         * @param a the first argument
         * @param b the second
         * @param c the third
         * @param d the fourth
         * @param e the fifth
         * @param f the sixth
         * @return its result, widened to a long
         */
        public long call(long a, long b, long c, long d, long e, long f) {
            return INVOKER.invokeN6(context, address, a, b, c, d, e, f);
        }
    }
}
