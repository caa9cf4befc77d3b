package io.qcow4j.qcow2.write;

/**
 * The sizes a new image's tables follow from: its options and virtual size.
 *
 * @param clusterBits log2 of the cluster size
 * @param virtualSize the disk's size in bytes
 * @param l2EntryBytes 8, or 16 with extended L2 entries
 * @param l1Size L1 entries the virtual size needs
 * @param refcountOrder log2 of the refcount width
 */
record Geometry(int clusterBits, long virtualSize, int l2EntryBytes, int l1Size, int refcountOrder) {

    /** QEMU's limit on the L1 table (QCOW_MAX_L1_SIZE). */
    private static final long MAX_L1_BYTES = 32L << 20;

    static Geometry of(Qcow2Options options, long virtualSize) {
        if (virtualSize < 0) {
            throw new IllegalArgumentException("Image size must be a non-negative number: " + virtualSize);
        }
        int clusterBits = Integer.numberOfTrailingZeros(options.clusterSize());
        int entryBytes = options.extendedL2() ? 16 : 8;
        long bytesPerL2 = ((long) options.clusterSize() / entryBytes) << clusterBits;
        // not (size + bytesPerL2 - 1) / bytesPerL2, which overflows for sizes near Long.MAX_VALUE
        long l1 = virtualSize / bytesPerL2 + (virtualSize % bytesPerL2 == 0 ? 0 : 1);
        if (l1 * 8 > MAX_L1_BYTES) {
            throw new IllegalArgumentException("The image size is too large for file format 'qcow2' (try using a "
                    + "larger cluster size)");
        }
        return new Geometry(clusterBits, virtualSize, entryBytes, (int) l1,
                Integer.numberOfTrailingZeros(options.refcountBits()));
    }

    int clusterSize() {
        return 1 << clusterBits;
    }

    int l2Entries() {
        return clusterSize() / l2EntryBytes;
    }

    boolean extendedL2() {
        return l2EntryBytes == 16;
    }

    /** Guest clusters, the last one possibly partial. */
    long guestClusters() {
        return (virtualSize + clusterSize() - 1) >>> clusterBits;
    }

    /** Clusters the L1 table takes: none for an empty disk, whose L1 offset is 0 as QEMU writes it. */
    int l1Clusters() {
        return (int) (((long) l1Size * 8 + clusterSize() - 1) >>> clusterBits);
    }

    int refcountBits() {
        return 1 << refcountOrder;
    }

    /** Refcounts one refcount block holds. */
    long refcountsPerBlock() {
        return ((long) clusterSize() * 8) >>> refcountOrder;
    }

    /** The largest refcount the width holds. */
    long maxRefcount() {
        return refcountOrder == 6 ? Long.MAX_VALUE : (1L << refcountBits()) - 1;
    }
}
