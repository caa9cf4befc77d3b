package io.qcow4j.vhd.shared;

import java.io.IOException;

/** A format's block map: which guest bytes are stored where. Implementations are immutable or lock-free. */
@FunctionalInterface
public interface ExtentMap {

    /**
     * The run that starts at guest {@code offset} (inside the disk), at most {@code maxLength} (at least 1) bytes
     * long; it may stop earlier than the whole run of its kind.
     */
    Extent extentAt(long offset, long maxLength) throws IOException;
}
