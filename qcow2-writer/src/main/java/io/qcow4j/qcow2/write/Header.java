package io.qcow4j.qcow2.write;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Cluster 0 of a new image: the header, its extensions and the backing file's name, laid out as QEMU writes them. */
final class Header {

    static final int MAGIC = 0x514649fb;
    static final int V2_LENGTH = 72;
    /** QEMU's version 3 header: the 104 bytes of the specification and the compression type, padded to 8. */
    static final int V3_LENGTH = 112;
    static final int BACKING_FORMAT_EXTENSION = 0xe2792aca;
    static final int FEATURE_NAME_EXTENSION = 0x6803f857;
    static final long INCOMPAT_COMPRESSION_TYPE = 1L << 3;
    static final long INCOMPAT_EXTENDED_L2 = 1L << 4;
    static final long COMPAT_LAZY_REFCOUNTS = 1L;
    static final int MAX_BACKING_NAME = 1023;

    private static final int INCOMPATIBLE = 0;
    private static final int COMPATIBLE = 1;
    private static final int AUTOCLEAR = 2;
    private static final int FEATURE_NAME_BYTES = 46;

    /** The features QEMU names in every version 3 image it writes, in its order. */
    private static final Object[][] FEATURES = {
        {INCOMPATIBLE, 0, "dirty bit"},
        {INCOMPATIBLE, 1, "corrupt bit"},
        {INCOMPATIBLE, 2, "external data file"},
        {INCOMPATIBLE, 3, "compression type"},
        {INCOMPATIBLE, 4, "extended L2 entries"},
        {COMPATIBLE, 0, "lazy refcounts"},
        {AUTOCLEAR, 0, "bitmaps"},
        {AUTOCLEAR, 1, "raw external data"},
    };

    private Header() {
    }

    /**
     * Checks that the header and its extensions fit in cluster 0, as QEMU would refuse them otherwise.
     *
     * @throws IllegalArgumentException when the backing file's name or format is too long
     */
    static void check(Qcow2Options options) {
        String backing = options.backingFile().orElse(null);
        if (backing != null && backing.getBytes(StandardCharsets.UTF_8).length > MAX_BACKING_NAME) {
            throw new IllegalArgumentException("Backing file name too long");
        }
        if (length(options) > options.clusterSize()) {
            throw new IllegalArgumentException("The backing file name and format do not fit in the header cluster");
        }
    }

    private static int length(Qcow2Options options) {
        boolean v3 = options.compat() == Qcow2Options.Compat.V1_1;
        int length = v3 ? V3_LENGTH : V2_LENGTH;
        if (options.backingFormat().isPresent()) {
            length += 8 + pad(options.backingFormat().get().getBytes(StandardCharsets.UTF_8).length);
        }
        if (v3) {
            length += 8 + FEATURES.length * 48;
        }
        length += 8;
        if (options.backingFile().isPresent()) {
            length += options.backingFile().get().getBytes(StandardCharsets.UTF_8).length;
        }
        return length;
    }

    /**
     * The header cluster.
     *
     * @param refcountTableOffset where the refcount table starts
     * @param refcountTableClusters its length in clusters
     */
    static ByteBuffer build(Qcow2Options options, Geometry geometry, long l1Offset, long refcountTableOffset,
                            int refcountTableClusters) {
        boolean v3 = options.compat() == Qcow2Options.Compat.V1_1;
        ByteBuffer header = ByteBuffer.allocate(geometry.clusterSize());
        header.putInt(MAGIC);
        header.putInt(v3 ? 3 : 2);
        header.putLong(0); // backing file offset, filled in below
        header.putInt(0); // backing file size
        header.putInt(geometry.clusterBits());
        header.putLong(geometry.virtualSize());
        header.putInt(0); // no encryption
        header.putInt(geometry.l1Size());
        header.putLong(l1Offset);
        header.putLong(refcountTableOffset);
        header.putInt(refcountTableClusters);
        header.putInt(0); // no snapshots
        header.putLong(0);
        if (v3) {
            long incompatible = 0;
            if (options.compressionType() != CompressionType.ZLIB) {
                incompatible |= INCOMPAT_COMPRESSION_TYPE;
            }
            if (options.extendedL2()) {
                incompatible |= INCOMPAT_EXTENDED_L2;
            }
            header.putLong(incompatible);
            header.putLong(options.lazyRefcounts() ? COMPAT_LAZY_REFCOUNTS : 0);
            header.putLong(0); // autoclear
            header.putInt(geometry.refcountOrder());
            header.putInt(V3_LENGTH);
            header.put((byte) (options.compressionType() == CompressionType.ZSTD ? 1 : 0));
            header.position(V3_LENGTH);
        }
        if (options.backingFormat().isPresent()) {
            byte[] format = options.backingFormat().get().getBytes(StandardCharsets.UTF_8);
            header.putInt(BACKING_FORMAT_EXTENSION).putInt(format.length).put(format);
            header.position(header.position() + pad(format.length) - format.length);
        }
        if (v3) {
            header.putInt(FEATURE_NAME_EXTENSION).putInt(FEATURES.length * 48);
            for (Object[] feature : FEATURES) {
                byte[] name = ((String) feature[2]).getBytes(StandardCharsets.US_ASCII);
                header.put((byte) (int) feature[0]).put((byte) (int) feature[1]).put(name);
                header.position(header.position() + FEATURE_NAME_BYTES - name.length);
            }
        }
        header.putLong(0); // end of the extensions
        if (options.backingFile().isPresent()) {
            byte[] name = options.backingFile().get().getBytes(StandardCharsets.UTF_8);
            header.putLong(8, header.position()).putInt(16, name.length);
            header.put(name);
        }
        return header.clear();
    }

    private static int pad(int length) {
        return (length + 7) & ~7;
    }
}
