package io.qcow4j.spi;

import java.io.Closeable;
import java.io.IOException;

/** Closes several resources, all of them, reporting the first failure with the others suppressed. */
public final class Closeables {

    private Closeables() {
    }

    /** Closes each non-null resource in order. */
    public static void closeAll(Closeable... resources) throws IOException {
        IOException first = null;
        for (Closeable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Closes {@code resource} after a failed open, keeping the open's failure as the one reported. */
    public static void closeQuietly(Throwable failure, Closeable... resources) {
        try {
            closeAll(resources);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
