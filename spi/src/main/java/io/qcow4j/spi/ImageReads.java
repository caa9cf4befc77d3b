package io.qcow4j.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.ImageException;

/**
 * The rules every {@link Image} applies to its reads and block-status queries, and what an image with a backing
 * image does where it holds nothing itself: one place for each, for every provider.
 */
public final class ImageReads {

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 16).asReadOnlyBuffer();

    private ImageReads() {
    }

    /**
     * How many bytes a read of {@code dst} at {@code position} returns from a disk of {@code size} bytes: -1 at or
     * past the end, as {@link java.nio.channels.FileChannel#read(ByteBuffer, long)} does.
     *
     * @param dst      the buffer a read fills
     * @param position the guest offset it starts at
     * @param size     the disk's size
     * @return the bytes the read returns, or -1
     * @throws IllegalArgumentException when {@code position} is negative or {@code dst} is read-only (as
     *                                  FileChannel refuses one), whatever the read would reach
     */
    public static int readLength(ByteBuffer dst, long position, long size) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return position >= size ? -1 : (int) Math.min(dst.remaining(), size - position);
    }

    /**
     * One piece of a read, as far as the image's layout stays the same (one extent, one cluster run, one file).
     */
    @FunctionalInterface
    public interface Piece {

        /**
         * Fills {@code dst} from its position with the guest's bytes from {@code at}: sets its limit to the end of
         * the piece, at most {@code max} bytes on, and fills it to there.
         *
         * @param dst the buffer
         * @param at  the guest offset of the piece's first byte
         * @param max the most bytes the piece may cover, at least 1
         * @return the bytes the piece covers, at least 1
         * @throws IOException when the piece cannot be read
         */
        int read(ByteBuffer dst, long at, int max) throws IOException;
    }

    /**
     * A read of {@code total} bytes, {@link #readLength}'s answer, made piece by piece: -1 for -1, the limit of
     * {@code dst} as it was whatever happens, and an {@link ImageException} said of {@code image}.
     *
     * @param dst      the buffer a read fills from its position
     * @param position the guest offset it starts at
     * @param total    the bytes the read returns, or -1
     * @param image    the file the image is, named in its errors
     * @param piece    reads each piece
     * @return {@code total}
     * @throws IOException when a piece cannot be read
     */
    public static int readInPieces(ByteBuffer dst, long position, int total, Path image, Piece piece)
            throws IOException {
        if (total < 0) {
            return -1;
        }
        int savedLimit = dst.limit();
        try {
            int done = 0;
            while (done < total) {
                done += piece.read(dst, position + done, total - done);
            }
            return total;
        } catch (ImageException e) {
            throw ImageErrors.naming(image, e);
        } finally {
            dst.limit(savedLimit);
        }
    }

    /**
     * Checks a block-status query: {@code offset} inside the disk, a positive length.
     *
     * @param offset    the guest offset asked about
     * @param maxLength the most bytes the answer may cover
     * @param size      the disk's size
     * @throws IndexOutOfBoundsException when {@code offset} is outside {@code [0, size)}
     * @throws IllegalArgumentException  when {@code maxLength < 1}
     */
    public static void checkStatusQuery(long offset, long maxLength, long size) {
        Objects.checkIndex(offset, size);
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
    }

    /**
     * Fills {@code dst} from its position to its limit with zeros, allocating nothing.
     *
     * @param dst the buffer to fill; its position ends at its limit
     */
    public static void fillZeros(ByteBuffer dst) {
        if (dst.hasArray()) {
            int from = dst.arrayOffset() + dst.position();
            Arrays.fill(dst.array(), from, from + dst.remaining(), (byte) 0);
            dst.position(dst.limit());
            return;
        }
        while (dst.hasRemaining()) {
            ByteBuffer chunk = ZEROS.duplicate();
            chunk.limit(Math.min(chunk.capacity(), dst.remaining()));
            dst.put(chunk);
        }
    }

    /**
     * Fills {@code dst} with what {@code backing} holds at {@code offset}, for a range the image above holds nothing
     * of: zeros past the backing image's end, or where there is no backing image ({@code backing} null).
     *
     * @param backing the backing image, or null
     * @param dst     the buffer to fill from its position to its limit
     * @param offset  the guest offset of its first byte
     * @throws IOException when the backing image cannot be read
     */
    public static void readBacking(Image backing, ByteBuffer dst, long offset) throws IOException {
        if (backing != null && offset < backing.size()) {
            int limit = dst.limit();
            dst.limit(dst.position() + (int) Math.min(dst.remaining(), backing.size() - offset));
            try {
                backing.readFully(dst, offset);
            } finally {
                dst.limit(limit);
            }
        }
        fillZeros(dst);
    }

    /**
     * The status of the run at {@code offset}, at most {@code length} bytes, of a range the image above holds nothing
     * of: the backing image's, one level deeper ({@link BlockStatus#deeper()}), or unallocated past its end or where
     * there is no backing image ({@code backing} null).
     *
     * @param backing the backing image, or null
     * @param offset  the guest offset of the run
     * @param length  the most bytes the run may cover
     * @return the run's status as the image above reports it
     * @throws IOException when the backing image cannot say
     */
    public static BlockStatus backingStatus(Image backing, long offset, long length) throws IOException {
        if (backing == null || offset >= backing.size()) {
            return new BlockStatus(offset, length, Allocation.UNALLOCATED, false, 0, -1);
        }
        return backing.blockStatus(offset, Math.min(length, backing.size() - offset)).deeper();
    }
}
