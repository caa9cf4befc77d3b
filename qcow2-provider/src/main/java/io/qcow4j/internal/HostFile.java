package io.qcow4j.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.qcow4j.spi.CorruptImageException;

/**
 * A file the image reads from (the image itself or its external data file), opened once; positional reads only,
 * so that any number of threads share it without a lock.
 */
public final class HostFile implements Closeable {

    private final Path path;
    private final FileChannel channel;
    private final long size;

    private HostFile(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    public static HostFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new HostFile(path, channel, channel.size());
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** The file's length when it was opened: every structure must lie below it. */
    public long size() {
        return size;
    }

    /**
     * Reads {@code dst.remaining()} bytes at {@code position}, all of which must lie in the file.
     *
     * @param what names the structure for the error message, such as "L2 table"
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

    /** Reads until {@code dst} is full or the file ends; returns the bytes read. */
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
