package io.qcow4j;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An open disk image: the guest's view of a virtual disk, read-only.
 *
 * <p>All methods are safe to call from many threads at once; reads at different positions proceed in parallel.
 * Closing the image closes its backing chain; reads after {@link #close()} fail with
 * {@link java.nio.channels.ClosedChannelException}.
 *
 * <p>Where a JDK type is wanted, {@link #newChannel()} and {@link #newInputStream()} view the disk (or a range of it)
 * as a read-only {@link SeekableByteChannel} or an {@link InputStream}.
 */
public interface Image extends Closeable {

    /**
     * The format's name, as its provider's {@link io.qcow4j.spi.ImageFormatProvider#name()}.
     *
     * @return the format's name
     */
    String format();

    /**
     * The virtual disk size in bytes.
     *
     * @return the virtual disk size in bytes
     */
    long size();

    /**
     * Reads guest bytes into {@code dst}, like {@link java.nio.channels.FileChannel#read(ByteBuffer, long)}:
     * up to {@code dst.remaining()} bytes starting at {@code position}, advancing {@code dst}'s position.
     *
     * @param dst where the bytes go
     * @param position the guest offset of the first byte
     * @return the number of bytes read, possibly fewer than requested only at the end of the disk;
     *         -1 when {@code position} is at or past the end
     * @throws IllegalArgumentException when {@code position} is negative, or {@code dst} is read-only
     * @throws ImageException           when the image is found corrupt while reading
     */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * Reads exactly {@code dst.remaining()} bytes starting at {@code position}.
     *
     * @param dst where the bytes go; full on return
     * @param position the guest offset of the first byte
     * @throws EOFException when the disk ends first
     * @throws IOException when the image cannot be read
     */
    default void readFully(ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = read(dst, at);
            if (n < 0) {
                throw new EOFException("read of " + dst.remaining() + " bytes at " + at + " passes the end of the "
                        + size() + "-byte disk");
            }
            at += n;
        }
    }

    /**
     * Says what the run of guest bytes starting at {@code offset} holds, without reading data: whether it is data,
     * reads as zero, or is unallocated in the whole chain; whether it is compressed; and at which depth of the
     * backing chain it lives. The run returned starts at {@code offset} and is at most {@code maxLength} bytes long;
     * it may be shorter than the whole run of equal status.
     *
     * @param offset the guest offset the run starts at
     * @param maxLength the most bytes the run may cover
     * @return the run at {@code offset}
     * @throws IndexOutOfBoundsException when {@code offset} is outside {@code [0, size())}
     * @throws IllegalArgumentException  when {@code maxLength < 1}
     * @throws IOException when the image's metadata cannot be read
     */
    BlockStatus blockStatus(long offset, long maxLength) throws IOException;

    /**
     * The runs of equal status that cover {@code [offset, offset + length)}, adjacent runs with equal fields merged,
     * as {@code qemu-img map} prints them. A large image of scattered clusters has millions of runs (a 4 TiB disk of
     * 64 KiB clusters, 64 million): {@link #forEachRun} hands them over one at a time instead of holding them all.
     *
     * @param offset the guest offset of the first run
     * @param length the bytes to cover; the runs stop at the end of the disk
     * @return the runs, in order
     * @throws IOException when the image's metadata cannot be read
     */
    default List<BlockStatus> map(long offset, long length) throws IOException {
        List<BlockStatus> runs = new ArrayList<>();
        forEachRun(offset, length, runs::add);
        return runs;
    }

    /**
     * Gives {@code action} the runs of {@link #map}, in order, each as soon as the next one is known to differ,
     * holding none of them.
     *
     * @param offset the guest offset of the first run
     * @param length the bytes to cover; the runs stop at the end of the disk
     * @param action what to do with each run
     * @throws IOException when the image's metadata cannot be read, or {@code action} fails
     */
    default void forEachRun(long offset, long length, RunAction action) throws IOException {
        long end = Math.min(size(), offset + length);
        long at = offset;
        BlockStatus pending = null;
        while (at < end) {
            BlockStatus status = blockStatus(at, end - at);
            if (pending != null && continues(pending, status)) {
                pending = new BlockStatus(pending.offset(), pending.length() + status.length(),
                        pending.allocation(), pending.compressed(), pending.depth(), pending.hostOffset());
            } else {
                if (pending != null) {
                    action.accept(pending);
                }
                pending = status;
            }
            at = status.end();
        }
        if (pending != null) {
            action.accept(pending);
        }
    }

    /** What {@link #forEachRun} does with each run: print it, say, to a stream that may fail. */
    @FunctionalInterface
    interface RunAction {
        /**
         * Takes one run.
         *
         * @param run the next run, in guest order
         * @throws IOException when the action fails (writing the run out, say)
         */
        void accept(BlockStatus run) throws IOException;
    }

    private static boolean continues(BlockStatus last, BlockStatus next) {
        return last.allocation() == next.allocation() && last.compressed() == next.compressed()
                && last.depth() == next.depth()
                && (last.hostOffset() == -1 ? next.hostOffset() == -1
                        : next.hostOffset() == last.hostOffset() + last.length());
    }

    /**
     * What {@code qemu-img info} shows of this image.
     *
     * @return the format, size, backing file and format details
     * @throws IOException when the image cannot be read
     */
    ImageInfo info() throws IOException;

    /**
     * The files this image reads its own bytes from: its image file, and an external data file where it has one; not
     * its backing images' (see {@link #backing()}). Writing to any of them while the image is open would change what
     * it reads, which a converter must refuse.
     *
     * @return the image file, then any data file
     * @throws IOException when the image cannot be read
     */
    default List<Path> files() throws IOException {
        Path file = info().filename();
        return file == null ? List.of() : List.of(file);
    }

    /**
     * The backing image that supplies unallocated ranges, if any.
     *
     * @return the backing image, or empty where there is none or backing files are not followed
     */
    Optional<Image> backing();

    /**
     * A read-only channel over the whole disk, with a position of its own: {@code size()} is the disk's size, writes
     * throw {@link java.nio.channels.NonWritableChannelException}. Closing it leaves the image open; closing the image
     * ends it too. Each channel is safe for one thread at a time, as a channel's position implies; open one per
     * thread, or read the image at explicit positions.
     *
     * @return a new channel at position 0
     */
    default SeekableByteChannel newChannel() {
        return new ImageChannel(this, 0, size());
    }

    /**
     * As {@link #newChannel()}, over the {@code length} bytes at {@code offset}: the channel's position 0 is guest
     * offset {@code offset}.
     *
     * @param offset the guest offset of the range
     * @param length the range's length in bytes
     * @return a new channel at position 0 of the range
     * @throws IndexOutOfBoundsException when the range is not inside the disk
     */
    default SeekableByteChannel newChannel(long offset, long length) {
        ImageChannel.checkRange(offset, length, size());
        return new ImageChannel(this, offset, length);
    }

    /**
     * An input stream of the whole disk from its first byte; closing it leaves the image open.
     *
     * @return a new stream at guest offset 0
     */
    default InputStream newInputStream() {
        return new ImageInputStream(this, 0, size());
    }

    /**
     * An input stream of the {@code length} bytes at {@code offset}; closing it leaves the image open.
     *
     * @param offset the guest offset of the range
     * @param length the range's length in bytes
     * @return a new stream at the range's first byte
     * @throws IndexOutOfBoundsException when the range is not inside the disk
     */
    default InputStream newInputStream(long offset, long length) {
        ImageChannel.checkRange(offset, length, size());
        return new ImageInputStream(this, offset, length);
    }
}
