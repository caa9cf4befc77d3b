package io.qcow4j.convert;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

import io.qcow4j.spi.Image;

/**
 * The raw file being written: a new file, truncated to the virtual size so that whatever is not written is a hole;
 * or an existing file or block device, written in place, where zero ranges must be made zero explicitly.
 */
final class TargetFile {

    /** What making a range zero takes. */
    private enum ZeroMode {
        /** Nothing: the range is already a hole of a new file. */
        SKIP,
        /** Punch a hole, or write zeros where that is unsupported. */
        PUNCH,
        /** Write zeros: zero detection is off, and the target is to be fully allocated. */
        WRITE
    }

    private final Path path;
    private final FileChannel channel;
    private final HolePuncher puncher;
    private final boolean created;
    private final long size;
    private final ZeroMode zeroMode;
    private final int zeroChunk;
    private volatile ByteBuffer zeros;

    private TargetFile(Path path, FileChannel channel, HolePuncher puncher, boolean created, long size,
                       ZeroMode zeroMode, int zeroChunk) {
        this.path = path;
        this.channel = channel;
        this.puncher = puncher;
        this.created = created;
        this.size = size;
        this.zeroMode = zeroMode;
        this.zeroChunk = zeroChunk;
    }

    /**
     * Creates or opens the target for {@code source}. A block device is always written in place, as qemu-img does;
     * so is any existing target when {@link ConvertOptions#overwriteExisting()} asks for it.
     */
    static TargetFile open(Image source, Path path, ConvertOptions options) throws IOException {
        long size = source.size();
        BasicFileAttributes attributes = attributes(path);
        if (attributes != null && attributes.isDirectory()) {
            throw new FileSystemException(path.toString(), null, "the target is a directory");
        }
        if (attributes != null) {
            refuseSource(source, path);
        }
        boolean device = attributes != null && attributes.isOther();
        if (options.overwriteExisting() || device) {
            if (attributes == null) {
                throw new NoSuchFileException(path.toString(), null,
                        "writing into an existing target (-n) needs the target to exist");
            }
            return openExisting(path, size, options);
        }
        return create(path, size, options);
    }

    private static TargetFile create(Path path, long size, ConvertOptions options) throws IOException {
        RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw");
        try {
            if (file.length() > 0) {
                // drop the old content of a file being replaced, so the whole file is one hole. Only then: on ext4,
                // truncating to 0 also makes close() start writing the file back early (auto_da_alloc)
                file.setLength(0);
            }
            file.setLength(size);
        } catch (IOException | RuntimeException e) {
            file.close();
            Files.deleteIfExists(path);
            if (e instanceof IOException) {
                // named after the target: the caller's message starts with the source
                throw (FileSystemException) new FileSystemException(path.toString(), null, "cannot make the target "
                        + size + " bytes long: " + e.getMessage()).initCause(e);
            }
            throw e;
        }
        ZeroMode mode = options.sparseSize() == 0 ? ZeroMode.WRITE : ZeroMode.SKIP;
        return new TargetFile(path, file.getChannel(), null, true, size, mode, options.bufferSize());
    }

    private static TargetFile openExisting(Path path, long size, ConvertOptions options) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE);
        HolePuncher puncher = HolePuncher.open(path);
        try {
            long existing = puncher.size();
            if (existing < 0) {
                existing = channel.size();
            }
            if (existing < size) {
                // as qemu-img -n: the target is not grown, so a smaller one cannot hold the disk
                throw new ConversionException("the target " + path + " is smaller than the source: " + existing
                        + " < " + size + " bytes; an existing target (-n) must be at least as large");
            }
        } catch (IOException | RuntimeException e) {
            puncher.close();
            channel.close();
            throw e;
        }
        ZeroMode mode = options.sparseSize() == 0 ? ZeroMode.WRITE : ZeroMode.PUNCH;
        return new TargetFile(path, channel, puncher, false, size, mode, options.bufferSize());
    }

    private static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Converting an image onto itself, or onto a file of its backing chain, would destroy what is being read. */
    private static void refuseSource(Image source, Path path) throws IOException {
        for (Optional<Image> image = Optional.of(source); image.isPresent(); image = image.get().backing()) {
            Path file;
            try {
                file = image.get().info().filename();
            } catch (IOException | RuntimeException e) {
                // an image that cannot say where it lives cannot be compared
                continue;
            }
            if (file != null && Files.exists(file) && Files.isSameFile(file, path)) {
                throw new FileSystemException(path.toString(), null, "the target is the source image "
                        + (image.get() == source ? "" : "'s backing file ") + file);
            }
        }
    }

    Path path() {
        return path;
    }

    /** The bytes the conversion covers: the source's virtual size. */
    long size() {
        return size;
    }

    /** Whether this conversion created the file (so that a failure deletes it). */
    boolean created() {
        return created;
    }

    /** Writes all of {@code data} at {@code position}. */
    void write(ByteBuffer data, long position) throws IOException {
        long at = position;
        while (data.hasRemaining()) {
            at += channel.write(data, at);
        }
    }

    /**
     * Makes {@code [position, position + length)} read as zero.
     *
     * @return the bytes written to do so: 0 unless zeros had to be written
     */
    long zero(long position, long length) throws IOException {
        switch (zeroMode) {
            case SKIP:
                return 0;
            case PUNCH:
                if (puncher.punch(position, length)) {
                    return 0;
                }
                return writeZeros(position, length);
            default:
                return writeZeros(position, length);
        }
    }

    private long writeZeros(long position, long length) throws IOException {
        ByteBuffer source = zeros();
        long done = 0;
        while (done < length) {
            ByteBuffer chunk = source.duplicate();
            chunk.limit((int) Math.min(chunk.capacity(), length - done));
            write(chunk, position + done);
            done += chunk.limit();
        }
        return length;
    }

    /** Allocated on first use: most conversions never write zeros. */
    private ByteBuffer zeros() {
        ByteBuffer result = zeros;
        if (result == null) {
            synchronized (this) {
                result = zeros;
                if (result == null) {
                    result = ByteBuffer.allocateDirect(zeroChunk).asReadOnlyBuffer();
                    zeros = result;
                }
            }
        }
        return result;
    }

    /** Ends a successful conversion: forces the data to disk when asked, then closes. */
    void finish(boolean sync) throws IOException {
        // a failure to close is added to a failure to force rather than hiding it; the hole puncher (whose close
        // cannot fail) is closed whatever happens to the channel
        try (FileChannel toClose = channel) {
            if (sync) {
                toClose.force(true);
            }
        } finally {
            if (puncher != null) {
                puncher.close();
            }
        }
    }

    /**
     * Ends a failed conversion: closes, and deletes the target when this conversion created it.
     *
     * @return what went wrong while doing so, or null
     */
    IOException abandon() {
        IOException problem = null;
        try {
            channel.close();
        } catch (IOException e) {
            problem = e;
        }
        if (puncher != null) {
            puncher.close();
        }
        if (created) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                problem = e;
            }
        }
        return problem;
    }
}
