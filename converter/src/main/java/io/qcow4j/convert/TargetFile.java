package io.qcow4j.convert;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

import io.qcow4j.Image;
import io.qcow4j.nativeaccess.FileSpace;

/**
 * The raw file being written: a new file, truncated to the virtual size so that whatever is not written is a hole;
 * or an existing file or block device, written in place, where zero ranges must be made zero explicitly.
 *
 * <p>A new file is written under a temporary name beside the target ({@code .disk.raw.qcow4j-partial-N}) and renamed
 * to the target's name once complete: a conversion that fails, is cancelled or is killed never leaves a file under
 * the target's name that looks complete, and a file the target replaces stays as it was until then.
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

    /** The kinds of file in st_mode (S_IFMT), from the "unix:mode" attribute. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFREG = 0100000;
    /** How many symbolic links lead to a target at most, as the kernel's limit (ELOOP). */
    private static final int MAX_LINKS = 40;

    /** The target as the caller named it. */
    private final Path path;
    /** Where a new file is written before it is renamed to {@link #destination}, or null where it is written. */
    private final Path partial;
    /** The file the target names, through any symbolic links. */
    private final Path destination;
    private final FileChannel channel;
    private final FileSpace space;
    private final long size;
    private final ZeroMode zeroMode;
    private final int zeroChunk;
    private volatile ByteBuffer zeros;

    private TargetFile(Path path, Path partial, Path destination, FileChannel channel, FileSpace space,
                       long size, ZeroMode zeroMode, int zeroChunk) {
        this.path = path;
        this.partial = partial;
        this.destination = destination;
        this.channel = channel;
        this.space = space;
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
        // through symbolic links to the file they name (which may not exist yet): that file is the one written,
        // renamed into place or deleted, never the link
        Path target = withoutLinks(path);
        BasicFileAttributes attributes = attributes(target);
        if (attributes != null && attributes.isDirectory()) {
            throw new FileSystemException(path.toString(), null, "the target is a directory");
        }
        if (attributes != null) {
            refuseSource(source, target);
        }
        boolean device = attributes != null && attributes.isOther();
        if (device && kind(target) != S_IFBLK) {
            // a FIFO would block the open until a reader came; a character device or socket holds no disk
            throw new FileSystemException(path.toString(), null, "the target is neither a regular file nor a block"
                    + " device");
        }
        if (options.overwriteExisting() || device) {
            if (attributes == null) {
                throw new NoSuchFileException(path.toString(), null,
                        "writing into an existing target (-n) needs the target to exist");
            }
            return openExisting(path, target, size, options);
        }
        if (attributes != null && !Files.isWritable(target)) {
            // the rename would replace a file its owner made read-only, which writing it in place would not
            throw new AccessDeniedException(path.toString(), null, "Permission denied");
        }
        return create(path, target, size, options);
    }

    private static Path withoutLinks(Path path) throws IOException {
        Path at = path;
        for (int links = 0; Files.isSymbolicLink(at); links++) {
            if (links == MAX_LINKS) {
                throw new FileSystemException(path.toString(), null, "Too many levels of symbolic links");
            }
            Path parent = at.toAbsolutePath().getParent();
            at = parent.resolve(Files.readSymbolicLink(at));
        }
        return at;
    }

    /** The kind of file (S_IFMT bits), or S_IFREG where the file system does not say. */
    private static int kind(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:mode") & S_IFMT;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return S_IFREG;
        }
    }

    private static TargetFile create(Path path, Path target, long size, ConvertOptions options) throws IOException {
        Path partial = PartialFile.createBeside(target, path);
        RandomAccessFile file;
        try {
            file = new RandomAccessFile(partial.toFile(), "rw");
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        try {
            // ftruncate: the whole file is one hole
            file.setLength(size);
        } catch (IOException | RuntimeException e) {
            file.close();
            Files.deleteIfExists(partial);
            if (e instanceof IOException) {
                // named after the target: the caller's message starts with the source
                throw (FileSystemException) new FileSystemException(path.toString(), null, "cannot make the target "
                        + size + " bytes long: " + e.getMessage()).initCause(e);
            }
            throw e;
        }
        ZeroMode mode = options.sparseSize() == 0 ? ZeroMode.WRITE : ZeroMode.SKIP;
        return new TargetFile(path, partial, target, file.getChannel(), null, size, mode, options.bufferSize());
    }

    private static TargetFile openExisting(Path path, Path target, long size, ConvertOptions options)
            throws IOException {
        FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE);
        FileSpace space = FileSpace.open(target);
        try {
            long existing = space.size();
            if (existing < 0) {
                existing = channel.size();
            }
            if (existing < size) {
                // as qemu-img -n: the target is not grown, so a smaller one cannot hold the disk
                throw new ConversionException("the target " + path + " is smaller than the source: " + existing
                        + " < " + size + " bytes; an existing target (-n) must be at least as large");
            }
        } catch (IOException | RuntimeException e) {
            space.close();
            channel.close();
            throw e;
        }
        ZeroMode mode = options.sparseSize() == 0 ? ZeroMode.WRITE : ZeroMode.PUNCH;
        return new TargetFile(path, null, target, channel, space, size, mode, options.bufferSize());
    }

    private static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Converting an image onto itself, onto its external data file, or onto a file of its backing chain, would destroy
     * what is being read.
     */
    private static void refuseSource(Image source, Path path) throws IOException {
        for (Optional<Image> image = Optional.of(source); image.isPresent(); image = image.get().backing()) {
            List<Path> files;
            try {
                files = image.get().files();
            } catch (IOException | RuntimeException e) {
                // an image that cannot say where it lives cannot be compared
                continue;
            }
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                if (Files.exists(file) && Files.isSameFile(file, path)) {
                    String whose = image.get() == source ? "the source image's" : "a backing image's";
                    String what = i == 0 ? "file" : "external data file";
                    throw new FileSystemException(path.toString(), null, "the target is " + whose + " " + what + " "
                            + file);
                }
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
        return partial != null;
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
                if (space.punchHole(position, length)) {
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

    /**
     * Ends a successful conversion: forces the data to disk when asked, closes, and gives a new file the target's
     * name (replacing any file of that name in one step).
     */
    void finish(boolean sync) throws IOException {
        // a failure to close is added to a failure to force rather than hiding it; the file space (whose close
        // cannot fail) is closed whatever happens to the channel
        try (FileChannel toClose = channel) {
            if (sync) {
                toClose.force(true);
            }
        } finally {
            if (space != null) {
                space.close();
            }
        }
        if (partial != null) {
            Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Ends a failed conversion: closes, and deletes the file this conversion created (under its temporary name: a
     * file the target would have replaced is left as it was).
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
        if (space != null) {
            space.close();
        }
        if (partial != null) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                problem = e;
            }
        }
        return problem;
    }
}
