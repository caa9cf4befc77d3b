package io.qcow4j.qcow2;

/**
 * The shape of an image's mapping tables, derived from its header.
 *
 * @param clusterBits    log2 of the cluster size
 * @param l2Bits         log2 of the entries in one L2 table
 * @param extendedL2     whether L2 entries carry a subcluster bitmap (16-byte entries)
 * @param subclusterBits log2 of the subcluster size (the cluster size without extended L2)
 * @param zeroFlagAllowed whether bit 0 of an L2 entry may mark a zero cluster (version 3)
 * @param externalData   whether data clusters live in an external data file
 */
record Geometry(int clusterBits, int l2Bits, boolean extendedL2, int subclusterBits, boolean zeroFlagAllowed,
                boolean externalData) {

    static final int SUBCLUSTERS = 32;

    static Geometry of(Qcow2Header header) {
        int l2Bits = header.clusterBits() - (header.extendedL2() ? 4 : 3);
        int subclusterBits = header.extendedL2() ? header.clusterBits() - 5 : header.clusterBits();
        return new Geometry(header.clusterBits(), l2Bits, header.extendedL2(), subclusterBits,
                header.version() >= 3, header.hasDataFile());
    }

    int clusterSize() {
        return 1 << clusterBits;
    }

    long clusterMask() {
        return clusterSize() - 1L;
    }

    int l2Entries() {
        return 1 << l2Bits;
    }

    /** Bytes of one L2 table on disk: always one cluster. */
    int l2TableBytes() {
        return clusterSize();
    }

    /** Guest bytes mapped by one L2 table. */
    long bytesPerL2Table() {
        return 1L << (clusterBits + l2Bits);
    }

    /** Bit position of the compressed-size field in a compressed L2 entry; the host offset lies below it. */
    int compressedSizeShift() {
        return 62 - (clusterBits - 8);
    }
}
