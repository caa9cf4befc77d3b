package io.qcow4j.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import io.qcow4j.CorruptImageException;
import io.qcow4j.spi.ImageReads;
import io.qcow4j.vhd.shared.Storage;

/**
 * A VHDX file as it reads once its log is replayed, without writing it: the log's pages and zeroed ranges over the
 * file's bytes, and zeros past the file's end up to the size the log gives it. Built at open, immutable after.
 */
final class ReplayedStorage implements Storage {

    /** Bytes over {@code [start, end)}: {@code data} from {@code dataOffset}, or zeros where it is null. */
    private record Piece(long start, long end, byte[] data, int dataOffset) {
        Piece slice(long from, long to) {
            return new Piece(from, to, data, data == null ? 0 : dataOffset + (int) (from - start));
        }
    }

    private final Storage file;
    private final NavigableMap<Long, Piece> pieces = new TreeMap<>();
    private long size;

    ReplayedStorage(Storage file) {
        this.file = file;
        this.size = file.size();
    }

    /** Writes {@code length} bytes of {@code data} (zeros where null) at {@code offset}, over what was there. */
    void write(long offset, long length, byte[] data, int dataOffset) {
        long end = offset + length;
        Map.Entry<Long, Piece> before = pieces.lowerEntry(offset);
        if (before != null && before.getValue().end() > offset) {
            Piece piece = before.getValue();
            pieces.put(piece.start(), piece.slice(piece.start(), offset));
            if (piece.end() > end) {
                pieces.put(end, piece.slice(end, piece.end()));
            }
        }
        List<Piece> covered = new ArrayList<>(pieces.subMap(offset, true, end, false).values());
        for (Piece piece : covered) {
            pieces.remove(piece.start());
            if (piece.end() > end) {
                pieces.put(end, piece.slice(end, piece.end()));
            }
        }
        pieces.put(offset, new Piece(offset, end, data, dataOffset));
        size = Math.max(size, end);
    }

    void extendTo(long length) {
        size = Math.max(size, length);
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void readFully(ByteBuffer dst, long position, String what) throws IOException {
        int length = dst.remaining();
        if (position < 0 || position > size || length > size - position) {
            throw new CorruptImageException(what + " at offset " + position + " (" + length
                    + " bytes) passes the end of the " + size + "-byte file " + path().getFileName()
                    + " (its log replayed)");
        }
        int savedLimit = dst.limit();
        try {
            long at = position;
            while (dst.hasRemaining()) {
                Map.Entry<Long, Piece> floor = pieces.floorEntry(at);
                if (floor != null && floor.getValue().end() > at) {
                    Piece piece = floor.getValue();
                    int n = (int) Math.min(dst.remaining(), piece.end() - at);
                    dst.limit(dst.position() + n);
                    if (piece.data() == null) {
                        ImageReads.fillZeros(dst);
                    } else {
                        dst.put(piece.data(), piece.dataOffset() + (int) (at - piece.start()), n);
                    }
                    at += n;
                } else {
                    Long next = pieces.higherKey(at);
                    long stop = Math.min(at + dst.remaining(), next == null ? Long.MAX_VALUE : next);
                    int n = (int) (stop - at);
                    dst.limit(dst.position() + n);
                    int fromFile = (int) Math.max(0, Math.min(n, file.size() - at));
                    if (fromFile > 0) {
                        dst.limit(dst.position() + fromFile);
                        file.readFully(dst, at, what);
                        dst.limit(dst.position() + n - fromFile);
                    }
                    ImageReads.fillZeros(dst);
                    at += n;
                }
                dst.limit(savedLimit);
            }
        } finally {
            dst.limit(savedLimit);
        }
    }
}
