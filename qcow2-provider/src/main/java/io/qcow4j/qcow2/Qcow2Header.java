package io.qcow4j.qcow2;

/**
 * The fixed part of a qcow2 header, as stored (big-endian), after {@link HeaderParser} has checked it.
 * Version 2 images get the version 3 defaults for the fields they lack.
 */
record Qcow2Header(
        int version,
        long backingFileOffset,
        int backingFileSize,
        int clusterBits,
        long size,
        int cryptMethod,
        int l1Size,
        long l1TableOffset,
        long refcountTableOffset,
        int refcountTableClusters,
        int snapshotCount,
        long snapshotsOffset,
        long incompatibleFeatures,
        long compatibleFeatures,
        long autoclearFeatures,
        int refcountOrder,
        int headerLength,
        CompressionType compressionType) {

    static final int MAGIC = 0x514649fb;
    static final int V2_LENGTH = 72;
    static final int V3_MIN_LENGTH = 104;

    static final long INCOMPAT_DIRTY = 1L;
    static final long INCOMPAT_CORRUPT = 1L << 1;
    static final long INCOMPAT_DATA_FILE = 1L << 2;
    static final long INCOMPAT_COMPRESSION = 1L << 3;
    static final long INCOMPAT_EXTENDED_L2 = 1L << 4;
    static final long INCOMPAT_KNOWN = INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_DATA_FILE | INCOMPAT_COMPRESSION
            | INCOMPAT_EXTENDED_L2;

    static final long COMPAT_LAZY_REFCOUNTS = 1L;
    static final long AUTOCLEAR_BITMAPS = 1L;
    static final long AUTOCLEAR_DATA_FILE_RAW = 1L << 1;

    int clusterSize() {
        return 1 << clusterBits;
    }

    /**
     * The guest disk's size as QEMU sees it: the size field rounded down to whole 512-byte sectors (QEMU's qcow2
     * driver keeps the size in sectors, so qemu-img reads and converts no partial last sector).
     */
    long virtualSize() {
        return size & ~511L;
    }

    boolean dirty() {
        return (incompatibleFeatures & INCOMPAT_DIRTY) != 0;
    }

    boolean corrupt() {
        return (incompatibleFeatures & INCOMPAT_CORRUPT) != 0;
    }

    boolean hasDataFile() {
        return (incompatibleFeatures & INCOMPAT_DATA_FILE) != 0;
    }

    boolean dataFileRaw() {
        return (autoclearFeatures & AUTOCLEAR_DATA_FILE_RAW) != 0;
    }

    boolean extendedL2() {
        return (incompatibleFeatures & INCOMPAT_EXTENDED_L2) != 0;
    }

    boolean lazyRefcounts() {
        return (compatibleFeatures & COMPAT_LAZY_REFCOUNTS) != 0;
    }

    /** The end of the area where header extensions may live: the backing file name, or the end of cluster 0. */
    long extensionAreaEnd() {
        return backingFileOffset != 0 ? backingFileOffset : clusterSize();
    }
}
