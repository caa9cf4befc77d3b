package io.qcow4j.qcow2.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Damages a copy of a valid qcow2 image in place: big-endian fields, raw bytes, truncation, and the mapping entries of
 * a guest offset found by walking the image's own L1 and L2 tables. Each call writes through to the file, so a test
 * reads as a list of edits.
 */
public final class ImagePatcher {

    private static final long L1_OFFSET_MASK = 0x00fffffffffffe00L;

    private final Path path;

    private ImagePatcher(Path path) {
        this.path = path;
    }

    /** Copies {@code source} to {@code target} (replacing it) and patches the copy. */
    public static ImagePatcher copy(Path source, Path target) {
        try {
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ImagePatcher(target);
    }

    /** Patches {@code path} itself. */
    public static ImagePatcher of(Path path) {
        return new ImagePatcher(path);
    }

    public Path path() {
        return path;
    }

    public long size() {
        try {
            return Files.size(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- raw fields

    /** Writes the low {@code width} bytes of {@code value} big-endian at {@code offset}. */
    public ImagePatcher put(long offset, int width, long value) {
        ByteBuffer b = ByteBuffer.allocate(width);
        for (int i = width - 1; i >= 0; i--) {
            b.put(width - 1 - i, (byte) (value >>> (8 * i)));
        }
        return bytes(offset, b.array());
    }

    public ImagePatcher u8(long offset, long value) {
        return put(offset, 1, value);
    }

    public ImagePatcher u16(long offset, long value) {
        return put(offset, 2, value);
    }

    public ImagePatcher u32(long offset, long value) {
        return put(offset, 4, value);
    }

    public ImagePatcher u64(long offset, long value) {
        return put(offset, 8, value);
    }

    public ImagePatcher set(HeaderField field, long value) {
        return put(field.offset(), field.width(), value);
    }

    public ImagePatcher bytes(long offset, byte[] data) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                channel.write(b, offset + b.position());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Reads {@code width} bytes big-endian at {@code offset}, unsigned. */
    public long get(long offset, int width) {
        ByteBuffer b = ByteBuffer.allocate(width);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (b.hasRemaining() && channel.read(b, offset + b.position()) > 0) {
                // reads until full or the end of the file, which leaves zeros
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long value = 0;
        for (int i = 0; i < width; i++) {
            value = (value << 8) | (b.get(i) & 0xff);
        }
        return value;
    }

    public long get(HeaderField field) {
        return get(field.offset(), field.width());
    }

    public ImagePatcher truncate(long newSize) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            if (newSize < channel.size()) {
                channel.truncate(newSize);
            } else if (newSize > channel.size()) {
                channel.write(ByteBuffer.allocate(1), newSize - 1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    // ---- qcow2 layout, read from the (still valid) parts of the image

    /** The offset of the first header extension of {@code type}, walking the chain from header_length. */
    public long extension(long type) {
        long at = get(HeaderField.HEADER_LENGTH);
        while (at + 8 <= clusterSize()) {
            long t = get(at, 4);
            if (t == type) {
                return at;
            }
            if (t == 0) {
                break;
            }
            at += 8 + ((get(at + 4, 4) + 7) & ~7L);
        }
        throw new IllegalStateException(String.format("no extension 0x%08x in %s", type, path()));
    }

    public int clusterBits() {
        return (int) get(HeaderField.CLUSTER_BITS);
    }

    public int clusterSize() {
        return 1 << clusterBits();
    }

    public boolean extendedL2() {
        return get(HeaderField.VERSION) >= 3 && (get(HeaderField.INCOMPATIBLE_FEATURES) & (1L << 4)) != 0;
    }

    /** Bytes of one L2 entry: 8, or 16 with extended L2. */
    public int l2EntryBytes() {
        return extendedL2() ? 16 : 8;
    }

    /** Where the L1 entry that maps {@code guestOffset} lies in the file. */
    public long l1EntryOffset(long guestOffset) {
        long l2Entries = clusterSize() / l2EntryBytes();
        long l1Index = (guestOffset >>> clusterBits()) / l2Entries;
        return get(HeaderField.L1_TABLE_OFFSET) + 8 * l1Index;
    }

    /** Where the L2 entry that maps {@code guestOffset} lies in the file; the L2 table must exist. */
    public long l2EntryOffset(long guestOffset) {
        long l2Table = get(l1EntryOffset(guestOffset), 8) & L1_OFFSET_MASK;
        if (l2Table == 0) {
            throw new IllegalStateException("no L2 table maps guest offset " + guestOffset + " in " + path);
        }
        long l2Entries = clusterSize() / l2EntryBytes();
        long l2Index = (guestOffset >>> clusterBits()) % l2Entries;
        return l2Table + l2Index * l2EntryBytes();
    }

    public long l2Entry(long guestOffset) {
        return get(l2EntryOffset(guestOffset), 8);
    }

    public ImagePatcher l2Entry(long guestOffset, long entry) {
        return u64(l2EntryOffset(guestOffset), entry);
    }

    /** The subcluster bitmap of an extended L2 entry. */
    public long l2Bitmap(long guestOffset) {
        return get(l2EntryOffset(guestOffset) + 8, 8);
    }

    public ImagePatcher l2Bitmap(long guestOffset, long bitmap) {
        return u64(l2EntryOffset(guestOffset) + 8, bitmap);
    }

    /** The host offset of the uncompressed cluster that maps {@code guestOffset}. */
    public long dataCluster(long guestOffset) {
        return l2Entry(guestOffset) & L1_OFFSET_MASK;
    }
}
