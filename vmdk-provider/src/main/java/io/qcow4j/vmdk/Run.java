package io.qcow4j.vmdk;

/**
 * How a run of an extent's bytes is stored.
 *
 * @param kind       what the run is
 * @param length     its length in bytes, at least 1
 * @param hostOffset for {@link Kind#DATA} and {@link Kind#DATA_IN_HOLE}, where its first byte is in the extent's file; for
 *                   {@link Kind#COMPRESSED}, where its grain (marker) starts; else -1
 */
record Run(Kind kind, long length, long hostOffset) {

    enum Kind {
        /** Stored as it is in the extent's file. */
        DATA,
        /**
         * Stored as it is in a hole of a flat extent's file: reads as zeros, which QEMU's block status asks of the
         * file below a flat extent.
         */
        DATA_IN_HOLE,
        /** Part of one compressed grain. */
        COMPRESSED,
        /** A zeroed grain, or a ZERO extent: reads as zeros, whatever a parent holds. */
        ZERO,
        /** Not allocated here: the parent's bytes, or zeros. */
        UNALLOCATED
    }
}
