package io.qcow4j.qcow2;

import java.nio.ByteBuffer;

import io.qcow4j.CorruptImageException;
import io.qcow4j.EncryptedImageException;
import io.qcow4j.ImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.UnsupportedFeatureException;

/**
 * Reads the fixed header fields and makes every check QEMU makes when it opens an image (see
 * {@code qcow2_do_open}), so that whatever passes can size tables and loops safely.
 */
final class HeaderParser {

    static final int MIN_CLUSTER_BITS = 9;
    static final int MAX_CLUSTER_BITS = 21;
    static final int MAX_REFCOUNT_ORDER = 6;
    static final int MAX_BACKING_NAME_LENGTH = 1023;
    /** QEMU's QCOW_MAX_L1_SIZE: 32 MiB of L1 entries. */
    static final long MAX_L1_BYTES = 32L << 20;
    /** QEMU's QCOW_MAX_REFTABLE_SIZE. */
    static final long MAX_REFCOUNT_TABLE_BYTES = 8L << 20;
    /** QEMU's QCOW_MAX_SNAPSHOTS. */
    static final int MAX_SNAPSHOTS = 65536;
    /** Extended L2 splits a cluster into 32 subclusters of at least 512 bytes. */
    static final int MIN_EXTENDED_L2_CLUSTER_BITS = 14;

    private HeaderParser() {
    }

    /** True when {@code start} begins with the qcow2 magic. */
    static boolean hasMagic(ByteBuffer start) {
        return start.remaining() >= 4 && start.getInt(start.position()) == Qcow2Header.MAGIC;
    }

    /**
     * Parses and checks the header at the start of {@code cluster0} (big-endian, zero-filled past the end of the file).
     *
     * @param fileSize the image file's length, to check the tables it points at
     */
    static Qcow2Header parse(ByteBuffer cluster0, long fileSize) throws ImageException {
        ByteBuffer b = cluster0.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN);
        if (fileSize < Qcow2Header.V2_LENGTH) {
            throw new CorruptImageException("qcow2 header truncated: the file has " + fileSize
                    + " bytes, the header needs at least " + Qcow2Header.V2_LENGTH);
        }
        int magic = b.getInt(0);
        if (magic != Qcow2Header.MAGIC) {
            throw new CorruptImageException(String.format("not a qcow2 image: magic 0x%08x, expected 0x%08x",
                    magic, Qcow2Header.MAGIC));
        }
        int version = b.getInt(4);
        if (version == 1) {
            // the same magic: QEMU's first format, with its own driver there ("qcow"), and no reader here
            throw new UnsupportedFeatureException("a qcow image (version 1, QEMU's first format, not qcow2): convert"
                    + " it with qemu-img convert -O qcow2 first");
        }
        if (version != 2 && version != 3) {
            throw new UnsupportedFeatureException("unsupported qcow2 version " + Integer.toUnsignedString(version)
                    + " (only versions 2 and 3 exist)");
        }
        long backingFileOffset = b.getLong(8);
        int backingFileSize = b.getInt(16);
        int clusterBits = b.getInt(20);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw new CorruptImageException("qcow2 header: cluster_bits " + Integer.toUnsignedString(clusterBits)
                    + " is outside " + MIN_CLUSTER_BITS + ".." + MAX_CLUSTER_BITS
                    + " (cluster sizes 512 B to 2 MiB)");
        }
        int clusterSize = 1 << clusterBits;
        long size = b.getLong(24);
        int cryptMethod = b.getInt(32);
        int l1Size = b.getInt(36);
        long l1TableOffset = b.getLong(40);
        long refcountTableOffset = b.getLong(48);
        int refcountTableClusters = b.getInt(56);
        int snapshotCount = b.getInt(60);
        long snapshotsOffset = b.getLong(64);

        long incompatible = 0;
        long compatible = 0;
        long autoclear = 0;
        int refcountOrder = 4;
        int headerLength = Qcow2Header.V2_LENGTH;
        CompressionType compressionType = CompressionType.DEFLATE;
        if (version == 3) {
            if (fileSize < Qcow2Header.V3_MIN_LENGTH) {
                throw new CorruptImageException("qcow2 header truncated: the file has " + fileSize
                        + " bytes, a version 3 header needs at least " + Qcow2Header.V3_MIN_LENGTH);
            }
            incompatible = b.getLong(72);
            compatible = b.getLong(80);
            autoclear = b.getLong(88);
            refcountOrder = b.getInt(96);
            headerLength = b.getInt(100);
            if (Integer.compareUnsigned(headerLength, Qcow2Header.V3_MIN_LENGTH) < 0) {
                throw new CorruptImageException("qcow2 header: header_length " + Integer.toUnsignedString(headerLength)
                        + " is shorter than the " + Qcow2Header.V3_MIN_LENGTH + " bytes of a version 3 header");
            }
            if (Integer.compareUnsigned(headerLength, clusterSize) > 0) {
                throw new CorruptImageException("qcow2 header: header_length " + Integer.toUnsignedString(headerLength)
                        + " exceeds the cluster size " + clusterSize);
            }
            if (headerLength > Qcow2Header.V3_MIN_LENGTH) {
                compressionType = compressionType(b.get(104) & 0xff, incompatible);
            } else if ((incompatible & Qcow2Header.INCOMPAT_COMPRESSION) != 0) {
                throw new CorruptImageException("qcow2 header: the compression type feature bit is set but "
                        + "header_length " + headerLength + " leaves no room for the compression_type field");
            }
        }
        if (Integer.compareUnsigned(refcountOrder, MAX_REFCOUNT_ORDER) > 0) {
            throw new CorruptImageException("qcow2 header: refcount_order " + Integer.toUnsignedString(refcountOrder)
                    + " exceeds " + MAX_REFCOUNT_ORDER + " (64-bit refcounts)");
        }
        checkIncompatibleFeatures(incompatible, clusterBits);
        checkEncryption(cryptMethod);
        checkBackingName(backingFileOffset, backingFileSize, clusterSize);
        checkL1(size, l1Size, l1TableOffset, clusterBits, (incompatible & Qcow2Header.INCOMPAT_EXTENDED_L2) != 0,
                fileSize);
        checkRefcountTable(refcountTableOffset, refcountTableClusters, clusterSize);
        checkSnapshotTable(snapshotsOffset, snapshotCount, clusterSize, fileSize);

        return new Qcow2Header(version, backingFileOffset, backingFileSize, clusterBits, size, cryptMethod, l1Size,
                l1TableOffset, refcountTableOffset, refcountTableClusters, snapshotCount, snapshotsOffset,
                incompatible, compatible, autoclear, refcountOrder, headerLength, compressionType);
    }

    private static CompressionType compressionType(int type, long incompatible) throws ImageException {
        boolean bitSet = (incompatible & Qcow2Header.INCOMPAT_COMPRESSION) != 0;
        switch (type) {
            case 0:
                if (bitSet) {
                    throw new CorruptImageException("qcow2 header: the compression type feature bit is set but "
                            + "compression_type is 0 (deflate), which must leave it clear");
                }
                return CompressionType.DEFLATE;
            case 1:
                if (!bitSet) {
                    throw new CorruptImageException("qcow2 header: compression_type is 1 (zstd) but the compression "
                            + "type feature bit is clear");
                }
                return CompressionType.ZSTD;
            default:
                throw new UnsupportedFeatureException("qcow2 header: unknown compression_type " + type
                        + " (known: 0 deflate, 1 zstd)");
        }
    }

    /** Unknown bits are refused later, with their names from the feature table; here only the combinations. */
    private static void checkIncompatibleFeatures(long incompatible, int clusterBits) throws ImageException {
        if ((incompatible & Qcow2Header.INCOMPAT_EXTENDED_L2) != 0 && clusterBits < MIN_EXTENDED_L2_CLUSTER_BITS) {
            throw new CorruptImageException("qcow2 header: extended L2 entries need clusters of at least "
                    + (1 << MIN_EXTENDED_L2_CLUSTER_BITS) + " bytes (512-byte subclusters), cluster size is "
                    + (1 << clusterBits));
        }
    }

    private static void checkEncryption(int cryptMethod) throws ImageException {
        switch (cryptMethod) {
            case 0:
                return;
            case 1:
                throw new EncryptedImageException("the image is encrypted (crypt_method 1, AES); qcow4j does not "
                        + "decrypt images");
            case 2:
                throw new EncryptedImageException("the image is encrypted (crypt_method 2, LUKS); qcow4j does not "
                        + "decrypt images");
            default:
                throw new UnsupportedFeatureException("qcow2 header: unknown crypt_method "
                        + Integer.toUnsignedString(cryptMethod) + " (known: 0 none, 1 AES, 2 LUKS)");
        }
    }

    private static void checkBackingName(long offset, int length, int clusterSize)
            throws ImageException {
        if (offset == 0) {
            return;
        }
        if (Integer.compareUnsigned(length, MAX_BACKING_NAME_LENGTH) > 0) {
            throw new ImageLimitException("qcow2 header: backing_file_size " + Integer.toUnsignedString(length)
                    + " exceeds " + MAX_BACKING_NAME_LENGTH + " bytes");
        }
        // QEMU lets the name overlap the header (it reads whatever bytes are there); it must stay in cluster 0
        if (Long.compareUnsigned(offset, clusterSize) > 0 || offset + length > clusterSize) {
            throw new CorruptImageException("qcow2 header: the backing file name (backing_file_offset "
                    + Long.toUnsignedString(offset) + ", backing_file_size " + length
                    + ") passes the end of the header cluster (" + clusterSize + " bytes)");
        }
    }

    private static void checkL1(long size, int l1Size, long l1Offset, int clusterBits, boolean extendedL2,
                                long fileSize) throws ImageException {
        if (size < 0) {
            throw new ImageLimitException("qcow2 header: virtual size " + Long.toUnsignedString(size)
                    + " exceeds " + Long.MAX_VALUE + " bytes");
        }
        long l1Bytes = Integer.toUnsignedLong(l1Size) * 8;
        if (l1Bytes > MAX_L1_BYTES) {
            throw new ImageLimitException("qcow2 header: l1_size " + Integer.toUnsignedString(l1Size)
                    + " makes an L1 table of " + l1Bytes + " bytes, over the " + MAX_L1_BYTES + "-byte limit");
        }
        long needed = l1EntriesNeeded(size, clusterBits, extendedL2);
        if (needed > l1Size) {
            throw new CorruptImageException("qcow2 header: l1_size " + l1Size + " is too small for the virtual size "
                    + size + ", which needs " + needed + " L1 entries");
        }
        checkTable("qcow2 header: l1_table_offset", l1Offset, l1Bytes, 1 << clusterBits, fileSize);
    }

    /** How many L1 entries a disk of {@code size} bytes needs. */
    static long l1EntriesNeeded(long size, int clusterBits, boolean extendedL2) {
        int l2Bits = clusterBits - (extendedL2 ? 4 : 3);
        long bytesPerL2 = 1L << (clusterBits + l2Bits);
        return size / bytesPerL2 + (size % bytesPerL2 != 0 ? 1 : 0);
    }

    private static void checkRefcountTable(long offset, int clusters, int clusterSize) throws ImageException {
        if (clusters == 0) {
            // a reader needs no refcounts, but every image QEMU writes has them, and QEMU refuses one without
            throw new CorruptImageException("qcow2 header: refcount_table_clusters is 0: the image has no reference "
                    + "count table");
        }
        long bytes = Integer.toUnsignedLong(clusters) * clusterSize;
        if (bytes > MAX_REFCOUNT_TABLE_BYTES) {
            throw new ImageLimitException("qcow2 header: refcount_table_clusters " + Integer.toUnsignedString(clusters)
                    + " makes a refcount table of " + bytes + " bytes, over the " + MAX_REFCOUNT_TABLE_BYTES
                    + "-byte limit");
        }
        // QEMU does not require the refcount table inside the file, and a reader never reads it.
        checkTable("qcow2 header: refcount_table_offset", offset, bytes, clusterSize, Long.MAX_VALUE);
    }

    private static void checkSnapshotTable(long offset, int count, int clusterSize, long fileSize)
            throws ImageException {
        if (Integer.compareUnsigned(count, MAX_SNAPSHOTS) > 0) {
            throw new ImageLimitException("qcow2 header: nb_snapshots " + Integer.toUnsignedString(count)
                    + " exceeds " + MAX_SNAPSHOTS);
        }
        checkTable("qcow2 header: snapshots_offset", offset, (long) count * SnapshotTable.FIXED_ENTRY_SIZE, clusterSize, fileSize);
    }

    /**
     * A table must start on a cluster boundary below 2^63 (QEMU's limit, even for a table of no entries), and (when
     * it has entries) end inside the file.
     */
    static void checkTable(String field, long offset, long bytes, int clusterSize, long fileSize)
            throws ImageException {
        if ((offset & (clusterSize - 1)) != 0) {
            throw new CorruptImageException(field + " " + Long.toUnsignedString(offset)
                    + " is not aligned to the cluster size " + clusterSize);
        }
        if (offset < 0) {
            throw new CorruptImageException(field + " " + Long.toUnsignedString(offset) + " is over "
                    + Long.MAX_VALUE + ", the largest offset in a file");
        }
        if (bytes == 0) {
            return;
        }
        if (offset > Long.MAX_VALUE - bytes || offset + bytes > fileSize) {
            throw new CorruptImageException(field + " " + Long.toUnsignedString(offset)
                    + " with " + bytes + " bytes of table reaches past the end of the " + fileSize + "-byte file");
        }
        if (offset == 0) {
            throw new CorruptImageException(field + " is 0, which is the header cluster");
        }
    }
}
