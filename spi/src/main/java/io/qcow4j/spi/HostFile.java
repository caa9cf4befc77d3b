package io.qcow4j.spi;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

import io.qcow4j.CorruptImageException;

/**
 * A file an image reads from (the image itself, its external data file, an extent), opened once; positional reads
 * only, so that any number of threads share it without a lock. Reads of structures check them against the file's
 * size and name them in the {@link CorruptImageException} that refuses them.
 */
public final class HostFile implements Closeable {

    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    private final Path path;
    private final FileChannel channel;
    private final long size;

    private HostFile(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    /**
     * Opens a regular file or a block device, after {@link #requireImageFile}.
     *
     * @param path the file
     * @return the open file
     * @throws IOException when it is not a file an image can be in, or cannot be opened
     */
    public static HostFile open(Path path) throws IOException {
        requireImageFile(path);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new HostFile(path, channel, channel.size());
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * What an opener makes of an open file, keeping the file open in it.
     *
     * @param <T> what is made
     */
    @FunctionalInterface
    public interface Use<T> {

        /**
         * Makes it.
         *
         * @param file the open file
         * @return what is made of it
         * @throws IOException when it cannot be made
         */
        T apply(HostFile file) throws IOException;
    }

    /**
     * Opens {@code path} as {@link #open} does and hands it to {@code use}; closes it again when {@code use} fails, so
     * that a file refused is never left open.
     *
     * @param <T>  what is made
     * @param path the file
     * @param use  makes something of the open file
     * @return what {@code use} made
     * @throws IOException when the file cannot be opened or {@code use} fails
     */
    public static <T> T openFor(Path path, Use<T> use) throws IOException {
        HostFile file = open(path);
        try {
            return use.apply(file);
        } catch (IOException | RuntimeException | Error e) {
            Closeables.closeQuietly(e, file);
            throw e;
        }
    }

    /**
     * Refuses what cannot hold an image before anything opens it: a directory, and every special file but a block
     * device (opening a FIFO waits for a writer that may never come; a character device or a socket holds no image).
     *
     * @param path the file
     * @throws FileSystemException naming the file and why
     */
    public static void requireImageFile(Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        if (attributes.isDirectory()) {
            throw new FileSystemException(path.toString(), null, "Is a directory");
        }
        if (!attributes.isRegularFile() && !isBlockDevice(path)) {
            throw new FileSystemException(path.toString(), null, "not a regular file or block device");
        }
    }

    /** Whether the mode says block device; a special file whose kind the file system cannot tell is not opened. */
    private static boolean isBlockDevice(Path path) {
        try {
            return ((Integer) Files.getAttribute(path, "unix:mode") & S_IFMT) == S_IFBLK;
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return false;
        }
    }

    /**
     * The file, as it was opened.
     *
     * @return its path
     */
    public Path path() {
        return path;
    }

    /**
     * The file's length when it was opened: every structure must lie below it.
     *
     * @return the length in bytes
     */
    public long size() {
        return size;
    }

    /**
     * Reads {@code dst.remaining()} bytes at {@code position}, all of which must lie in the file.
     *
     * @param dst where the bytes go; full on return
     * @param position the file offset of the first byte
     * @param what names the structure for the error message, such as "L2 table"
     * @throws IOException when the file cannot be read, or ends first (naming {@code what})
     */
    public void readFully(ByteBuffer dst, long position, String what) throws IOException {
        int length = dst.remaining();
        if (position < 0 || position > size || length > size - position) {
            throw new CorruptImageException(what + " at offset " + position + " (" + length
                    + " bytes) passes the end of the " + size + "-byte file " + path.getFileName());
        }
        readAvailable(dst, position);
        if (dst.hasRemaining()) {
            throw new CorruptImageException(what + " at offset " + position + ": the file "
                    + path.getFileName() + " ended early (it shrank while open)");
        }
    }

    /**
     * Reads until {@code dst} is full or the file ends; returns the bytes read.
     *
     * @param dst where the bytes go
     * @param position the file offset of the first byte
     * @return the bytes read, fewer than asked only at the end of the file
     * @throws IOException when the file cannot be read
     */
    public int readAvailable(ByteBuffer dst, long position) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
