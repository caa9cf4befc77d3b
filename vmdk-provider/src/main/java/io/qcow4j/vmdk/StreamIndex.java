package io.qcow4j.vmdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageException;
import io.qcow4j.spi.HostFile;

/**
 * The grains of a stream-optimized extent whose footer is not there (a download or copy cut short), found by walking
 * its markers from the first grain: QEMU refuses such a file, but what it holds can still be read. Grains a writer
 * left out because they were zeros read as zeros where the stream proves it (it ends with its footer, or it wrote
 * its grains in order and the grain lies before the last one); any other grain is missing, and reading it fails,
 * naming where the stream ends.
 */
final class StreamIndex implements GrainMap {

    private static final int MARKER_EOS = 0;
    private static final int MARKER_GRAIN_TABLE = 1;
    private static final int MARKER_GRAIN_DIRECTORY = 2;
    private static final int MARKER_FOOTER = 3;
    /**
     * A marker the specification leaves out, which vSphere writes in some streams (VirtualBox skips it): skipped as
     * metadata of its sector count, as the others are.
     */
    private static final int MARKER_UNSPECIFIED = 4;

    /** Heap the index is charged for at a time, as it grows. */
    interface Charge {
        void bytes(long bytes) throws ImageException;
    }

    private final long[] grains;
    private final long[] offsets;
    private final int count;
    private final boolean complete;
    /** Grains below this are known: those not in the stream are zeros the writer left out. */
    private final long known;
    private final long scanEnd;
    private final long fileSize;
    private final long grainBytes;

    private StreamIndex(long[] grains, long[] offsets, int count, boolean complete, long known, long scanEnd,
                        long fileSize, long grainBytes) {
        this.grains = grains;
        this.offsets = offsets;
        this.count = count;
        this.complete = complete;
        this.known = known;
        this.scanEnd = scanEnd;
        this.fileSize = fileSize;
        this.grainBytes = grainBytes;
    }

    /** Walks the markers of {@code file}, whose header is {@code header}. */
    static StreamIndex scan(HostFile file, SparseHeader header, Charge charge) throws IOException {
        long grainSectors = header.grainSectors();
        long capacity = header.capacity();
        long size = file.size();
        long[] grains = new long[0];
        long[] offsets = new long[0];
        int count = 0;
        boolean ordered = true;
        boolean complete = false;
        boolean afterFooter = false;
        long last = -1;
        long cut = -1;
        long at = header.overhead() * 512;
        Window window = new Window(file);
        while (at <= size - 12) {
            ByteBuffer marker = window.at(at);
            long value = marker.getLong(0);
            long length = Integer.toUnsignedLong(marker.getInt(8));
            if (length != 0) {
                if (value < 0 || value >= capacity || value % grainSectors != 0) {
                    throw new CorruptImageException("stream grain marker at offset " + at + ": sector "
                            + Long.toUnsignedString(value) + " is not the first sector of a grain of this "
                            + capacity + "-sector extent");
                }
                long dataEnd = at + 12 + length;
                if (dataEnd > size) {
                    // the grain the file was cut in: in an ordered stream, those before it are all known
                    cut = value / grainSectors;
                    break;
                }
                if (count == grains.length) {
                    int grown = Math.max(1024, count * 2);
                    charge.bytes(16L * (grown - count));
                    grains = Arrays.copyOf(grains, grown);
                    offsets = Arrays.copyOf(offsets, grown);
                }
                long grain = value / grainSectors;
                ordered &= grain > last;
                last = Math.max(last, grain);
                grains[count] = grain;
                offsets[count] = at;
                count++;
                afterFooter = false;
                at = (dataEnd + 511) & -512L;
                continue;
            }
            if (marker.remaining() < 16) {
                break;
            }
            int type = marker.getInt(12);
            if (type == MARKER_EOS) {
                // a stream's end is its footer then this marker; zeros alone may be a hole in a damaged file
                complete = afterFooter;
                break;
            }
            if (type != MARKER_GRAIN_TABLE && type != MARKER_GRAIN_DIRECTORY && type != MARKER_FOOTER
                    && type != MARKER_UNSPECIFIED) {
                throw new CorruptImageException("stream marker at offset " + at + ": unknown marker type "
                        + Integer.toUnsignedLong(type));
            }
            if (value < 0 || value > (size - at) / 512) {
                break;
            }
            afterFooter = type == MARKER_FOOTER;
            at += 512 + value * 512;
        }
        if (!ordered) {
            count = sort(grains, offsets, count);
        }
        long known = complete ? Long.MAX_VALUE : ordered ? Math.max(last + 1, cut) : 0;
        return new StreamIndex(grains, offsets, count, complete, known, at, size, grainSectors * 512);
    }

    /**
     * Reads the file ahead in blocks, so that a stream of many small markers takes one read per block rather than one
     * per marker: a hostile file of empty table markers, one a sector, is walked at the speed of reading it.
     */
    private static final class Window {
        private static final int BYTES = 64 * 1024;

        private final HostFile file;
        private final ByteBuffer bytes = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private long start = -1;
        private int length;

        Window(HostFile file) {
            this.file = file;
        }

        /** The 16 bytes at {@code offset} (fewer at the end of the file) from index 0 of the buffer returned. */
        ByteBuffer at(long offset) throws IOException {
            if (start < 0 || offset < start || offset + 16 > start + length) {
                bytes.clear().limit((int) Math.min(BYTES, file.size() - offset));
                file.readAvailable(bytes, offset);
                start = offset;
                length = bytes.position();
            }
            int from = (int) (offset - start);
            return bytes.duplicate().position(from).limit(Math.min(length, from + 16)).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    @Override
    public long entry(long grain) throws CorruptImageException {
        int i = Arrays.binarySearch(grains, 0, count, grain);
        if (i >= 0) {
            return offsets[i];
        }
        if (grain < known) {
            return UNALLOCATED;
        }
        throw new CorruptImageException("the stream is truncated: it has no footer and ends at byte " + fileSize
                + " (its last whole marker ends by byte " + Math.min(scanEnd, fileSize) + "), before the grain for "
                + "extent offset " + grain * grainBytes + (count == 0 ? "; it holds no whole grain" : ""));
    }

    @Override
    public long absentUntil(long grain, long limit) {
        if (grain >= known) {
            return grain;
        }
        int i = Arrays.binarySearch(grains, 0, count, grain);
        if (i >= 0) {
            return grain;
        }
        int next = -i - 1;
        return Math.min(Math.min(limit, known), next < count ? grains[next] : Long.MAX_VALUE);
    }

    @Override
    public long peek(long grain) {
        int i = Arrays.binarySearch(grains, 0, count, grain);
        return i >= 0 ? offsets[i] : UNALLOCATED;
    }

    @Override
    public long tableEnd(long grain) {
        return grain + Limits.HOSTED_GRAIN_TABLE_ENTRIES;
    }

    /**
     * Sorts the pairs by grain; of two markers for one grain, the later in the file (written last) stays. A heap
     * sort: the arrays may be large and are rarely out of order. Returns the pairs kept.
     */
    private static int sort(long[] grains, long[] offsets, int count) {
        for (int i = count / 2 - 1; i >= 0; i--) {
            siftDown(grains, offsets, i, count);
        }
        for (int end = count - 1; end > 0; end--) {
            swap(grains, offsets, 0, end);
            siftDown(grains, offsets, 0, end);
        }
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (kept > 0 && grains[kept - 1] == grains[i]) {
                offsets[kept - 1] = offsets[i];
            } else {
                grains[kept] = grains[i];
                offsets[kept] = offsets[i];
                kept++;
            }
        }
        return kept;
    }

    private static boolean less(long[] grains, long[] offsets, int a, int b) {
        return grains[a] < grains[b] || grains[a] == grains[b] && offsets[a] < offsets[b];
    }

    private static void siftDown(long[] grains, long[] offsets, int root, int end) {
        while (true) {
            int child = 2 * root + 1;
            if (child >= end) {
                return;
            }
            if (child + 1 < end && less(grains, offsets, child, child + 1)) {
                child++;
            }
            if (!less(grains, offsets, root, child)) {
                return;
            }
            swap(grains, offsets, root, child);
            root = child;
        }
    }

    private static void swap(long[] grains, long[] offsets, int a, int b) {
        long g = grains[a];
        grains[a] = grains[b];
        grains[b] = g;
        long o = offsets[a];
        offsets[a] = offsets[b];
        offsets[b] = o;
    }
}
