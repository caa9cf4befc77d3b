package io.qcow4j.qcow2;

/**
 * A run of guest bytes that one layer of the image maps the same way.
 *
 * @param kind            how the bytes are stored
 * @param length          guest bytes in the run
 * @param hostOffset      for {@link Kind#DATA}, where the run's bytes start in the data file; for {@link Kind#ZERO}
 *                        and {@link Kind#UNALLOCATED}, the preallocated host offset or -1
 * @param compressedEntry for {@link Kind#COMPRESSED}, the L2 entry that locates the compressed cluster
 */
record Extent(Kind kind, long length, long hostOffset, long compressedEntry) {

    enum Kind {
        /** Stored raw in the data file. */
        DATA,
        /** Stored compressed; the run lies within one cluster. */
        COMPRESSED,
        /** Reads as zeros. */
        ZERO,
        /** Not allocated in this layer: read from the backing image, or zeros without one. */
        UNALLOCATED
    }
}
