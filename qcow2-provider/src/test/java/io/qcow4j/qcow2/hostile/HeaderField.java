package io.qcow4j.qcow2.hostile;

/**
 * The fixed qcow2 header fields: where each lies (big-endian) and how QEMU's specification names it, which is the name
 * an error message about it must use.
 */
public enum HeaderField {
    MAGIC("magic", 0, 4),
    VERSION("version", 4, 4),
    BACKING_FILE_OFFSET("backing_file_offset", 8, 8),
    BACKING_FILE_SIZE("backing_file_size", 16, 4),
    CLUSTER_BITS("cluster_bits", 20, 4),
    SIZE("size", 24, 8),
    CRYPT_METHOD("crypt_method", 32, 4),
    L1_SIZE("l1_size", 36, 4),
    L1_TABLE_OFFSET("l1_table_offset", 40, 8),
    REFCOUNT_TABLE_OFFSET("refcount_table_offset", 48, 8),
    REFCOUNT_TABLE_CLUSTERS("refcount_table_clusters", 56, 4),
    NB_SNAPSHOTS("nb_snapshots", 60, 4),
    SNAPSHOTS_OFFSET("snapshots_offset", 64, 8),
    INCOMPATIBLE_FEATURES("incompatible_features", 72, 8),
    COMPATIBLE_FEATURES("compatible_features", 80, 8),
    AUTOCLEAR_FEATURES("autoclear_features", 88, 8),
    REFCOUNT_ORDER("refcount_order", 96, 4),
    HEADER_LENGTH("header_length", 100, 4),
    COMPRESSION_TYPE("compression_type", 104, 1);

    private final String specName;
    private final int offset;
    private final int width;

    HeaderField(String specName, int offset, int width) {
        this.specName = specName;
        this.offset = offset;
        this.width = width;
    }

    public String specName() {
        return specName;
    }

    public int offset() {
        return offset;
    }

    /** Bytes: 1, 4 or 8. */
    public int width() {
        return width;
    }

    /** Whether a version 2 header has the field (it ends at byte 72). */
    public boolean inVersion2() {
        return offset + width <= 72;
    }

    /** All ones in the field's width. */
    public long max() {
        return width == 8 ? -1L : (1L << (8 * width)) - 1;
    }
}
