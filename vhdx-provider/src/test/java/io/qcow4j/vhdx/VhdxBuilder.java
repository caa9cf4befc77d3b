package io.qcow4j.vhdx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes VHDXs as Hyper-V does, for what qemu-img cannot make: differencing disks with parent locators, every payload
 * block state, 4096-byte logical sectors, and (with {@link #logOver}) a log left to replay. Layout: identifier,
 * headers, region tables, the log at 1 MiB, metadata at 1 MiB past it, the BAT, then blocks in whole MiB.
 */
final class VhdxBuilder {

    static final int MB = 1 << 20;

    /** One payload block: its state, its data (for states 6 and 7) and, for state 7, a bitmap of its sectors. */
    record Block(int state, byte[] data, boolean[] sectors) {
    }

    private final long virtualSize;
    private int blockSize = MB;
    private int logicalSector = 512;
    private int logLength = MB;
    private boolean hasParent;
    private final Map<String, String> locator = new LinkedHashMap<>();
    private final Map<Long, Block> blocks = new TreeMap<>();
    private Guid dataWriteGuid = Guid.parse("11111111-2222-3333-4444-555555555555");
    private Guid logGuid = Guid.ZERO;

    VhdxBuilder(long virtualSize) {
        this.virtualSize = virtualSize;
    }

    VhdxBuilder blockSize(int bytes) {
        this.blockSize = bytes;
        return this;
    }

    VhdxBuilder logicalSector(int bytes) {
        this.logicalSector = bytes;
        return this;
    }

    VhdxBuilder logLength(int bytes) {
        this.logLength = bytes;
        return this;
    }

    VhdxBuilder dataWriteGuid(Guid guid) {
        this.dataWriteGuid = guid;
        return this;
    }

    VhdxBuilder parent(Map<String, String> entries) {
        this.hasParent = true;
        this.locator.putAll(entries);
        return this;
    }

    VhdxBuilder block(long index, int state, byte[] data) {
        blocks.put(index, new Block(state, data == null ? null : Arrays.copyOf(data, blockSize), null));
        return this;
    }

    /** A partially present block: sector {@code i} of the block is this file's where {@code sectors[i]}. */
    VhdxBuilder partialBlock(long index, byte[] data, boolean[] sectors) {
        blocks.put(index, new Block(PayloadMap.PARTIALLY_PRESENT, Arrays.copyOf(data, blockSize), sectors));
        return this;
    }

    long chunkRatio() {
        return (1L << 23) * logicalSector / blockSize;
    }

    private long batEntries() {
        long payload = (virtualSize + blockSize - 1) / blockSize;
        long chunks = (payload + chunkRatio() - 1) / chunkRatio();
        return hasParent ? chunks * (chunkRatio() + 1) : payload + (payload - 1) / chunkRatio();
    }

    static final int LOG_AT = MB;

    private int metadataAt() {
        return LOG_AT + logLength;
    }

    private int batAt() {
        return metadataAt() + MB;
    }

    private int firstBlockAt() {
        return batAt() + (int) ((batEntries() * 8 + MB - 1) / MB * MB);
    }

    byte[] build() {
        long chunkRatio = chunkRatio();
        Map<Long, Integer> blockAt = new TreeMap<>();
        Map<Long, Integer> bitmapAt = new TreeMap<>();
        int next = firstBlockAt();
        for (Map.Entry<Long, Block> block : blocks.entrySet()) {
            if (block.getValue().data() != null) {
                blockAt.put(block.getKey(), next);
                next += blockSize;
            }
            long chunk = block.getKey() / chunkRatio;
            if (block.getValue().sectors() != null && !bitmapAt.containsKey(chunk)) {
                bitmapAt.put(chunk, next);
                next += MB;
            }
        }
        ByteBuffer image = ByteBuffer.allocate(next).order(ByteOrder.LITTLE_ENDIAN);
        image.put(0, "vhdxfile".getBytes(StandardCharsets.US_ASCII));
        image.put(8, "qcow4j test".getBytes(StandardCharsets.UTF_16LE));
        header(image, 64 * 1024, 1);
        header(image, 128 * 1024, 2);
        regionTable(image, 192 * 1024);
        regionTable(image, 256 * 1024);
        metadata(image);
        for (Map.Entry<Long, Block> entry : blocks.entrySet()) {
            long index = entry.getKey();
            Block block = entry.getValue();
            long offset = blockAt.getOrDefault(index, 0);
            image.putLong((int) (batAt() + 8 * PayloadMap.payloadIndex(index, chunkRatio)),
                    (offset / MB) << 20 | block.state());
            if (block.data() != null) {
                image.put((int) offset, block.data());
            }
            if (block.sectors() != null) {
                long chunk = index / chunkRatio;
                int bitmap = bitmapAt.get(chunk);
                image.putLong((int) (batAt() + 8 * (chunk * (chunkRatio + 1) + chunkRatio)),
                        ((long) bitmap / MB) << 20 | PayloadMap.SECTOR_BITMAP_PRESENT);
                long first = (index % chunkRatio) * (blockSize / logicalSector);
                for (int s = 0; s < block.sectors().length; s++) {
                    if (block.sectors()[s]) {
                        long bit = first + s;
                        int at = (int) (bitmap + bit / 8);
                        image.put(at, (byte) (image.get(at) | 1 << (bit & 7)));
                    }
                }
            }
        }
        return image.array();
    }

    /** The disk as the spec reads it, {@code parent} supplying what this file does not (zeros where null). */
    byte[] expected(byte[] parent) {
        byte[] disk = new byte[(int) virtualSize];
        for (long b = 0; b * blockSize < virtualSize; b++) {
            int at = (int) (b * blockSize);
            int length = (int) Math.min(blockSize, virtualSize - at);
            Block block = blocks.get(b);
            int state = block == null ? PayloadMap.NOT_PRESENT : block.state();
            if (state == PayloadMap.FULLY_PRESENT) {
                System.arraycopy(block.data(), 0, disk, at, length);
            } else if (state == PayloadMap.NOT_PRESENT && hasParent && parent != null) {
                System.arraycopy(parent, at, disk, at, length);
            } else if (state == PayloadMap.PARTIALLY_PRESENT) {
                for (int s = 0; s * logicalSector < length; s++) {
                    byte[] from = block.sectors()[s] ? block.data() : parent;
                    if (from == block.data() || parent != null) {
                        System.arraycopy(from, from == block.data() ? s * logicalSector : at + s * logicalSector,
                                disk, at + s * logicalSector, logicalSector);
                    }
                }
            }
        }
        return disk;
    }

    private void header(ByteBuffer image, int at, long sequence) {
        ByteBuffer h = image.slice(at, 4096).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0, 0x64616568);
        h.putLong(8, sequence);
        h.put(16, Guid.parse("aaaaaaaa-0000-0000-0000-00000000000" + sequence).bytes());
        h.put(32, dataWriteGuid.bytes());
        h.put(48, logGuid.bytes());
        h.putShort(66, (short) 1);
        h.putInt(68, logLength);
        h.putLong(72, LOG_AT);
        h.putInt(4, Checksums.compute(h, 4));
    }

    private void regionTable(ByteBuffer image, int at) {
        ByteBuffer r = image.slice(at, 64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt(0, 0x69676572);
        r.putInt(8, 2);
        r.put(16, RegionTable.BAT.bytes());
        r.putLong(32, batAt());
        r.putInt(40, (int) ((batEntries() * 8 + MB - 1) / MB * MB));
        r.putInt(44, 1);
        r.put(48, RegionTable.METADATA.bytes());
        r.putLong(64, metadataAt());
        r.putInt(72, MB);
        r.putInt(76, 1);
        r.putInt(4, Checksums.compute(r, 4));
    }

    private void metadata(ByteBuffer image) {
        ByteBuffer m = image.slice(metadataAt(), MB).order(ByteOrder.LITTLE_ENDIAN);
        m.put(0, "metadata".getBytes(StandardCharsets.US_ASCII));
        List<Object[]> items = new ArrayList<>();
        items.add(new Object[] {"CAA16737-FA36-4D43-B3B6-33F0AA44E76B", bytes(8, b -> {
            b.putInt(0, blockSize);
            b.putInt(4, hasParent ? 2 : 0);
        }), 4});
        items.add(new Object[] {"2FA54224-CD1B-4876-B211-5DBED83BF4B8", bytes(8, b -> b.putLong(0, virtualSize)), 6});
        items.add(new Object[] {"BECA12AB-B2E6-4523-93EF-C309E000C746",
            Guid.parse("cccccccc-0000-0000-0000-000000000001").bytes(), 6});
        items.add(new Object[] {"8141BF1D-A96F-4709-BA47-F233A8FAAB5F", bytes(4, b -> b.putInt(0, logicalSector)), 6});
        items.add(new Object[] {"CDA348C7-445D-4471-9CC9-E9885251C556", bytes(4, b -> b.putInt(0, 4096)), 6});
        if (hasParent) {
            items.add(new Object[] {"A8D35F2D-B30B-454D-ABF7-D3D84834AB0C", locatorItem(), 6});
        }
        m.putShort(10, (short) items.size());
        for (int i = 0; i < items.size(); i++) {
            int entry = 32 + 32 * i;
            byte[] data = (byte[]) items.get(i)[1];
            int offset = 64 * 1024 + 4096 * i;
            m.put(entry, Guid.parse((String) items.get(i)[0]).bytes());
            m.putInt(entry + 16, offset);
            m.putInt(entry + 20, data.length);
            m.putInt(entry + 24, (Integer) items.get(i)[2]);
            m.put(offset, data);
        }
    }

    private byte[] locatorItem() {
        ByteBuffer item = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        item.put(0, Guid.parse("B04AEFB7-D19E-4A81-B789-25B8E9445913").bytes());
        item.putShort(18, (short) locator.size());
        int text = 20 + 12 * locator.size();
        int i = 0;
        for (Map.Entry<String, String> entry : locator.entrySet()) {
            byte[] key = entry.getKey().getBytes(StandardCharsets.UTF_16LE);
            byte[] value = entry.getValue().getBytes(StandardCharsets.UTF_16LE);
            item.putInt(20 + 12 * i, text);
            item.putShort(20 + 12 * i + 8, (short) key.length);
            item.put(text, key);
            text += key.length;
            item.putInt(20 + 12 * i + 4, text);
            item.putShort(20 + 12 * i + 10, (short) value.length);
            item.put(text, value);
            text += value.length;
            i++;
        }
        return Arrays.copyOf(item.array(), text);
    }

    private static byte[] bytes(int length, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return b.array();
    }

    /**
     * {@code before} (an image this builder wrote) with a log that turns it into {@code after} (written by a builder
     * of the same layout): every 4 KiB page that differs goes into the log as data, in entries of consecutive
     * sequence numbers (at most 120 descriptors each: QEMU 7.2 reads one sector of descriptors only), the file's
     * growth as the last file offset; the headers name the log. The file is {@code before} otherwise, so it reads as
     * {@code after} only once the log is replayed.
     *
     * @param zeroed file ranges (offset, length pairs) written as zero descriptors instead of pages
     */
    static byte[] logOver(byte[] before, byte[] after, long... zeroed) {
        return logOverFrom(0, before, after, zeroed);
    }

    /**
     * {@link #logOver}, the entries from {@code start} bytes into the log (the tail), going on at the log's start
     * where they reach its end, as in a log that has wrapped.
     */
    static byte[] logOverFrom(int start, byte[] before, byte[] after, long... zeroed) {
        List<long[]> zeros = new ArrayList<>();
        for (int i = 0; i < zeroed.length; i += 2) {
            zeros.add(new long[] {zeroed[i], zeroed[i + 1]});
        }
        List<Integer> pages = new ArrayList<>();
        for (int at = 0; at < after.length; at += 4096) {
            final int page = at;
            boolean inZero = zeros.stream().anyMatch(z -> page >= z[0] && page < z[0] + z[1]);
            if (!inZero && (at >= before.length || !Arrays.equals(before, at, at + 4096, after, at, at + 4096))) {
                pages.add(at);
            }
        }
        Guid log = Guid.parse("10101010-2020-3030-4040-505050505050");
        ByteBuffer image = ByteBuffer.wrap(before.clone()).order(ByteOrder.LITTLE_ENDIAN);
        int at = start;
        int written = 0;
        long sequence = 20;
        for (int from = 0; from < pages.size() || from == 0; from += 120) {
            List<Integer> part = pages.subList(from, Math.min(pages.size(), from + 120));
            boolean last = from + 120 >= pages.size();
            int length = logEntry(image, at, sequence++, start, part, last ? zeros : List.of(), after, log,
                    last ? after.length : before.length);
            written += length;
            if (written > image.getInt(64 * 1024 + 68)) {
                throw new IllegalArgumentException("a log of " + image.getInt(64 * 1024 + 68)
                        + " bytes cannot hold " + pages.size() + " pages");
            }
            at = (at + length) % image.getInt(64 * 1024 + 68);
        }
        for (int header : new int[] {64 * 1024, 128 * 1024}) {
            ByteBuffer h = image.slice(header, 4096).order(ByteOrder.LITTLE_ENDIAN);
            h.put(48, log.bytes());
            h.putInt(4, Checksums.compute(h, 4));
        }
        return image.array();
    }

    private static int logEntry(ByteBuffer image, int at, long sequence, int tail, List<Integer> pages,
                                List<long[]> zeros, byte[] after, Guid log, long lastFileOffset) {
        int descriptors = pages.size() + zeros.size();
        int descriptorBytes = (64 + 32 * descriptors + 4095) / 4096 * 4096;
        int length = descriptorBytes + 4096 * pages.size();
        ByteBuffer e = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        e.putInt(0, 0x65676f6c);
        e.putInt(8, length);
        e.putInt(12, tail);
        e.putLong(16, sequence);
        e.putInt(24, descriptors);
        e.put(32, log.bytes());
        e.putLong(48, image.capacity());
        e.putLong(56, lastFileOffset);
        int d = 64;
        for (long[] zero : zeros) {
            e.putInt(d, 0x6f72657a);
            e.putLong(d + 8, zero[1]);
            e.putLong(d + 16, zero[0]);
            e.putLong(d + 24, sequence);
            d += 32;
        }
        int sector = descriptorBytes;
        for (int page : pages) {
            ByteBuffer source = ByteBuffer.wrap(after, page, 4096).slice().order(ByteOrder.LITTLE_ENDIAN);
            e.putInt(d, 0x63736564);
            e.putInt(d + 4, source.getInt(4092));
            e.putLong(d + 8, source.getLong(0));
            e.putLong(d + 16, page);
            e.putLong(d + 24, sequence);
            d += 32;
            e.putInt(sector, 0x61746164);
            e.putInt(sector + 4, (int) (sequence >>> 32));
            e.put(sector + 8, after, page + 8, 4084);
            e.putInt(sector + 4092, (int) sequence);
            sector += 4096;
        }
        e.putInt(4, Checksums.compute(e, 4));
        // the log is circular: what passes its end goes on at its start
        int logLength = image.getInt(64 * 1024 + 68);
        int first = Math.min(length, logLength - at);
        image.put(LOG_AT + at, e.array(), 0, first);
        image.put(LOG_AT, e.array(), first, length - first);
        return length;
    }
}
