package io.qcow4j.vmdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.LongAdder;

import io.qcow4j.CorruptImageException;
import io.qcow4j.spi.HostFile;

/**
 * Reads the compressed grains of a stream-optimized extent: each grain is a zlib stream, after a marker (its first
 * sector, little-endian, and its compressed length) where the header says there are markers. Each grain inflates on
 * the thread that reads it, with that thread's inflater, so a converter's workers inflate in parallel with no lock.
 */
final class CompressedGrains {

    private static final int MARKER = 12;

    private final HostFile file;
    private final GrainMap map;
    private final int grainBytes;
    private final long extentBytes;
    private final boolean markers;
    private final GrainBuffers buffers;
    /** Counts inflations, so tests can tell that small reads of one grain inflate it once. */
    private final LongAdder inflations = new LongAdder();

    CompressedGrains(HostFile file, GrainMap map, int grainBytes, long extentBytes, boolean markers,
                     GrainBuffers buffers) {
        this.file = file;
        this.map = map;
        this.grainBytes = grainBytes;
        this.extentBytes = extentBytes;
        this.markers = markers;
        this.buffers = buffers;
    }

    /**
     * Copies the bytes of grain {@code grain}, stored at {@code host}, from {@code inGrain} into {@code dst} up to its
     * limit.
     */
    void copy(long grain, long host, int inGrain, ByteBuffer dst) throws IOException {
        GrainBuffers.Scratch scratch = buffers.forThisThread(grainBytes);
        int length = dst.remaining();
        if (!scratch.holds(this, grain) && inGrain == 0 && length == grainBytes && dst.isDirect()) {
            // a whole grain into a direct buffer: inflating straight into it spares a copy of the grain
            ByteBuffer target = dst.slice(dst.position(), length);
            inflate(grain, host, scratch, target, length);
            dst.position(dst.position() + length);
            return;
        }
        if (!scratch.holds(this, grain)) {
            scratch.forget();
            inflate(grain, host, scratch, scratch.output.clear().limit(grainBytes), needed(grain));
            scratch.holding(this, grain);
        }
        ByteBuffer bytes = scratch.output.duplicate();
        bytes.limit(inGrain + length).position(inGrain);
        dst.put(bytes);
    }

    long inflations() {
        return inflations.sum();
    }

    /** The bytes of grain {@code grain} the disk uses: all of it, but for a last grain the extent's end cuts. */
    private int needed(long grain) {
        return (int) Math.min(grainBytes, extentBytes - grain * grainBytes);
    }

    private void inflate(long grain, long host, GrainBuffers.Scratch scratch, ByteBuffer target, int needed)
            throws IOException {
        long guest = grain * grainBytes;
        ByteBuffer compressed = compressedBytes(grain, host, scratch.input, guest);
        inflations.increment();
        int produced;
        try {
            produced = scratch.inflater.inflate(compressed, target);
        } catch (CorruptImageException e) {
            throw new CorruptImageException(where(host, guest) + ": " + e.getMessage(), e);
        }
        if (produced < needed) {
            throw new CorruptImageException(where(host, guest) + ": it inflates to " + produced + " bytes, short of "
                    + needed);
        }
    }

    /** The grain's zlib stream, read into {@code input}: exactly its length where a marker gives it. */
    private ByteBuffer compressedBytes(long grain, long host, ByteBuffer input, long guest) throws IOException {
        long fileSize = file.size();
        if (host >= fileSize) {
            throw new CorruptImageException(where(host, guest) + ": it lies past the end of the " + fileSize
                    + "-byte file " + file.path().getFileName() + " (truncated?)");
        }
        input.clear();
        if (!markers) {
            // no length to go by: as much as two grains, as QEMU reads; the stream ends where it ends
            input.limit((int) Math.min(2L * grainBytes, fileSize - host));
            file.readAvailable(input, host);
            return input.flip();
        }
        input.limit((int) Math.min(firstRead(grain, host), fileSize - host));
        file.readAvailable(input, host);
        if (input.position() < MARKER) {
            throw new CorruptImageException(where(host, guest) + ": its marker is cut off by the end of the file "
                    + file.path().getFileName() + " (truncated?)");
        }
        ByteBuffer marker = input.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long lba = marker.getLong(0);
        long size = Integer.toUnsignedLong(marker.getInt(8));
        if (size == 0) {
            throw new CorruptImageException(where(host, guest) + ": its marker has size 0, which marks metadata, "
                    + "not a grain");
        }
        if (size > 2L * grainBytes) {
            throw new CorruptImageException(where(host, guest) + ": its marker says " + size + " compressed bytes, "
                    + "more than two " + grainBytes + "-byte grains");
        }
        if (lba != guest / 512) {
            throw new CorruptImageException(where(host, guest) + ": its marker says it holds sector " + lba
                    + ", but the grain table maps it to sector " + guest / 512);
        }
        if (host + MARKER + size > fileSize) {
            throw new CorruptImageException(where(host, guest) + ": its " + size + " compressed bytes pass the end "
                    + "of the " + fileSize + "-byte file " + file.path().getFileName() + " (truncated?)");
        }
        int end = (int) (MARKER + size);
        if (input.position() < end) {
            input.limit(end);
            file.readFully(input, host + input.position(), "compressed grain for extent offset " + guest);
        }
        return input.flip().position(MARKER).limit(end);
    }

    /**
     * How much to read at once for the grain at {@code host}: up to the next grain's marker where writers put it
     * right after (they write grains one after the other), else a grain's worth, which is enough for all but
     * incompressible grains; a marker that says more is read on.
     */
    private long firstRead(long grain, long host) {
        long next = map.peek(grain + 1);
        long gap = next - host;
        return gap > MARKER && gap <= MARKER + 2L * grainBytes ? gap : MARKER + (long) grainBytes;
    }

    private static String where(long host, long guest) {
        return "compressed grain at host offset " + host + " (extent offset " + guest + ")";
    }
}
