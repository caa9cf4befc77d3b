package io.qcow4j.nativeaccess;

import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Which inflater reads deflate-compressed data (qcow2's clusters, VMDK's grains): libdeflate (the system's
 * {@code libdeflate.so.0}, Debian package {@code libdeflate0}) when it loads, else the JDK's
 * {@link java.util.zip.Inflater}. The system property {@value #PROPERTY} ({@code auto}, {@code libdeflate} or
 * {@code jdk}) overrides the choice; it is read whenever a decompressor is made. The choice is logged once at DEBUG
 * level on the {@code io.qcow4j} logger.
 */
public final class DeflateBackend {

    /** The system property that forces a backend. */
    public static final String PROPERTY = "qcow4j.inflate";
    /** The backend of Debian's {@code libdeflate0}, bound through jffi. */
    public static final String LIBDEFLATE = "libdeflate";
    /** The JDK's {@link java.util.zip.Inflater}. */
    public static final String JDK = "jdk";

    /** Messages already logged, so that each appears once however many images are opened. */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private DeflateBackend() {
    }

    /**
     * The backend that images opened now inflate with: {@value #LIBDEFLATE} or {@value #JDK}.
     *
     * @return the backend's name
     */
    public static String name() {
        return libdeflateSelected() ? LIBDEFLATE : JDK;
    }

    /**
     * {@link #name()} with the reason, for diagnostics such as {@code info --debug}.
     *
     * @return the name and the reason
     */
    public static String describe() {
        String requested = requested();
        if (libdeflateSelected()) {
            return LIBDEFLATE + " (libdeflate.so.0 through jffi; " + PROPERTY + "=" + requested + ")";
        }
        if (requested.equals(JDK)) {
            return JDK + " (java.util.zip.Inflater; " + PROPERTY + "=" + JDK + ")";
        }
        return JDK + " (java.util.zip.Inflater; libdeflate.so.0 unavailable: " + Native.failure() + ")";
    }

    /**
     * Whether libdeflate.so.0 loaded, whatever the property says.
     *
     * @return whether it can be used
     */
    public static boolean libdeflateAvailable() {
        return Native.LIBRARY != null;
    }

    /**
     * Which library the decompressors of an image opened now inflate with: the property is read now, when the image
     * is opened; the supplier gives libdeflate where it is selected and loads, else null for the JDK's
     * {@link java.util.zip.Inflater}. libdeflate loads when the first decompressor asks for it, not before: most
     * images hold no compressed data.
     *
     * @param what what is inflated, for the log line ("qcow2 clusters")
     * @return the choice, made once per decompressor
     */
    public static Supplier<Libdeflate> libdeflate(String what) {
        String requested = requested();
        return () -> {
            if (selects(requested)) {
                logOnce(Level.DEBUG, "inflating " + what + " with libdeflate (libdeflate.so.0)");
                return Native.LIBRARY;
            }
            logOnce(Level.DEBUG, "inflating " + what + " with java.util.zip.Inflater");
            return null;
        };
    }

    private static boolean libdeflateSelected() {
        return selects(requested());
    }

    private static boolean selects(String requested) {
        switch (requested) {
            case JDK:
                return false;
            case LIBDEFLATE:
                if (!libdeflateAvailable()) {
                    logOnce(Level.WARNING, PROPERTY + "=" + LIBDEFLATE + " but libdeflate.so.0 does not load ("
                            + Native.failure() + "); using java.util.zip.Inflater");
                }
                return libdeflateAvailable();
            case "auto":
                return libdeflateAvailable();
            default:
                logOnce(Level.WARNING, "unknown " + PROPERTY + " value '" + requested + "' (expected auto, "
                        + LIBDEFLATE + " or " + JDK + "); choosing automatically");
                return libdeflateAvailable();
        }
    }

    private static String requested() {
        return System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    }

    private static void logOnce(Level level, String message) {
        if (LOGGED.add(message)) {
            // looked up only now: the lookup starts the JDK's logging, costlier than a short command's work
            System.getLogger("io.qcow4j").log(level, message);
        }
    }

    /** Loaded on first use, once per JVM. */
    private static final class Native {
        static final Libdeflate LIBRARY;
        static final Throwable FAILURE;

        static {
            Libdeflate library = null;
            Throwable failure = null;
            try {
                library = Libdeflate.load();
                // allocating and freeing one decompressor proves the symbols resolve, not just the file
                long probe = library.allocDecompressor();
                library.freeDecompressor(probe);
            } catch (LinkageError | RuntimeException e) {
                library = null;
                failure = e;
            }
            LIBRARY = library;
            FAILURE = failure;
        }

        private Native() {
        }

        static String failure() {
            return FAILURE == null ? "none" : FAILURE.toString();
        }
    }
}
