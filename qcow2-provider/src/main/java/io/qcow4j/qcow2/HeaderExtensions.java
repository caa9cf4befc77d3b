package io.qcow4j.qcow2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.spi.FileNames;

/**
 * The header extensions between the header and the backing file name (or the end of cluster 0).
 *
 * @param backingFormat   the backing file's declared format, or null
 * @param dataFile        the external data file's name, or null
 * @param featureNames    names for feature bits, from the feature-name table
 * @param bitmaps         the 24 bytes of the bitmaps extension (count, directory size and offset), or null
 * @param hasEncryptionHeader whether the full-disk-encryption header pointer is present
 */
record HeaderExtensions(String backingFormat, String dataFile, List<FeatureName> featureNames, ByteBuffer bitmaps,
                        boolean hasEncryptionHeader) {

    static final int END = 0;
    static final int BACKING_FORMAT = 0xe2792aca;
    static final int FEATURE_NAMES = 0x6803f857;
    static final int BITMAPS = 0x23852875;
    static final int ENCRYPTION_HEADER = 0x0537be77;
    static final int DATA_FILE = 0x44415441;

    /** QEMU keeps the backing format in a 16-byte buffer with its terminating NUL. */
    static final int MAX_BACKING_FORMAT_LENGTH = 15;
    static final int FEATURE_NAME_ENTRY = 48;
    static final int BITMAPS_LENGTH = 24;
    /** Each extension takes at least 8 bytes of a cluster of at most 2 MiB: this bounds the loop as well. */
    static final int MAX_EXTENSIONS = (1 << HeaderParser.MAX_CLUSTER_BITS) / 8;

    /** A name for one feature bit. {@code type} is 0 incompatible, 1 compatible, 2 autoclear. */
    record FeatureName(int type, int bit, String name) {
    }

    static HeaderExtensions parse(ByteBuffer cluster0, Qcow2Header header) throws ImageException {
        ByteBuffer b = cluster0.duplicate().order(ByteOrder.BIG_ENDIAN);
        String backingFormat = null;
        String dataFile = null;
        List<FeatureName> featureNames = new ArrayList<>();
        ByteBuffer bitmaps = null;
        boolean encryptionHeader = false;
        long end = header.extensionAreaEnd();
        long offset = header.headerLength();
        for (int seen = 0; offset < end; seen++) {
            if (seen >= MAX_EXTENSIONS) {
                throw new ImageLimitException("qcow2 header: more than " + MAX_EXTENSIONS + " header extensions");
            }
            if (end - offset < 8) {
                throw new CorruptImageException("qcow2 header: header extension at offset " + offset
                        + " too large: its 8-byte type and length pass the end of the extension area at " + end);
            }
            int type = b.getInt((int) offset);
            long length = Integer.toUnsignedLong(b.getInt((int) offset + 4));
            long data = offset + 8;
            if (length > end - data) {
                throw new CorruptImageException(String.format("qcow2 header: header extension 0x%08x at offset %d "
                        + "too large: length %d passes the end of the extension area at %d", type, offset, length,
                        end));
            }
            if (type == END) {
                break;
            }
            switch (type) {
                case BACKING_FORMAT -> backingFormat = backingFormat(b, (int) data, (int) length);
                case FEATURE_NAMES -> featureNames.addAll(featureNames(b, (int) data, (int) length));
                case DATA_FILE -> dataFile = fileName(b, (int) data, (int) length);
                case BITMAPS -> bitmaps = bitmapsExtension(b, (int) data, (int) length);
                case ENCRYPTION_HEADER -> encryptionHeader = true;
                default -> {
                    // unknown extensions are skipped, as the specification asks
                }
            }
            offset = data + ((length + 7) & ~7L);
        }
        return new HeaderExtensions(backingFormat, dataFile, List.copyOf(featureNames), bitmaps,
                encryptionHeader);
    }

    private static String backingFormat(ByteBuffer b, int at, int length) throws ImageException {
        if (length > MAX_BACKING_FORMAT_LENGTH) {
            throw new ImageLimitException("qcow2 header: backing format extension of " + length
                    + " bytes exceeds " + MAX_BACKING_FORMAT_LENGTH);
        }
        return string(b, at, length);
    }

    private static ByteBuffer bitmapsExtension(ByteBuffer b, int at, int length) throws ImageException {
        if (length != BITMAPS_LENGTH) {
            throw new CorruptImageException("qcow2 header: bitmaps extension of " + length + " bytes, expected "
                    + BITMAPS_LENGTH);
        }
        // a copy, not a slice: a slice would keep the whole of cluster 0 for as long as the image is open
        ByteBuffer copy = ByteBuffer.allocate(BITMAPS_LENGTH);
        copy.put(0, b, at, BITMAPS_LENGTH);
        return copy;
    }

    private static List<FeatureName> featureNames(ByteBuffer b, int at, int length) {
        List<FeatureName> names = new ArrayList<>();
        for (int entry = at; entry + FEATURE_NAME_ENTRY <= at + length; entry += FEATURE_NAME_ENTRY) {
            names.add(new FeatureName(b.get(entry) & 0xff, b.get(entry + 1) & 0xff,
                    string(b, entry + 2, FEATURE_NAME_ENTRY - 2)));
        }
        return names;
    }

    /** A string field, which may or may not carry a terminating NUL within its length. */
    static String string(ByteBuffer b, int at, int length) {
        byte[] bytes = new byte[length];
        b.get(at, bytes);
        return new String(bytes, 0, untilNul(bytes), StandardCharsets.UTF_8);
    }

    /**
     * A file name field: decoded as the JDK encodes file names, so that it names the same file (QEMU passes the bytes
     * through); see {@link FileNames#toPath} for names this JVM cannot open.
     */
    static String fileName(ByteBuffer b, int at, int length) {
        byte[] bytes = new byte[length];
        b.get(at, bytes);
        return FileNames.decode(bytes, 0, untilNul(bytes));
    }

    private static int untilNul(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return n;
    }

    /** The name the feature table gives an incompatible bit, if it has one. */
    Optional<String> incompatibleFeatureName(int bit) {
        return featureNames.stream().filter(f -> f.type() == 0 && f.bit() == bit).map(FeatureName::name).findFirst();
    }
}
