package io.qcow4j.spi;

import java.io.Closeable;
import java.io.IOException;

/** Closes several resources, all of them, reporting the first failure with the others suppressed. */
public final class Closeables {

    private Closeables() {
    }

    /**
     * Closes each non-null resource in order, all of them.
     *
     * @param resources what to close; nulls are skipped
     * @throws IOException the first failure, with the later ones suppressed in it
     */
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

    /**
     * Closes resources after a failed open, keeping the open's failure as the one reported.
     *
     * @param failure   the failure of the open, which gets any failure to close as suppressed
     * @param resources what to close; nulls are skipped
     */
    public static void closeQuietly(Throwable failure, Closeable... resources) {
        try {
            closeAll(resources);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
