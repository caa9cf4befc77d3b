package io.qcow4j;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;

import io.qcow4j.spi.BackingFile;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.ImageErrors;
import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.OpenContext;

/**
 * One open of an image and its backing chain, through every provider it passes: the policy for other files, the
 * loop, depth and memory checks, and what the chain's images share. Made by {@link ImageFormats#open}, used by the
 * thread that called it.
 */
final class ChainContext implements OpenContext {

    private final ImageFormats formats;
    private final OpenOptions options;
    private final long memoryLimit;
    /** The real paths of the images being opened, innermost first. */
    private final Deque<Path> opening = new ArrayDeque<>();
    private final Map<Class<?>, Object> shared = new HashMap<>();
    private long memoryUsed;

    ChainContext(ImageFormats formats, OpenOptions options) {
        this.formats = formats;
        this.options = options;
        this.memoryLimit = options.chainMemoryLimit();
    }

    /** Opens the image the host asked for, with the format the options name or the one its probe finds. */
    Image openTop(Path path) throws IOException {
        ImageFormatProvider provider = options.format().isPresent()
                ? formats.require(options.format().get(), path)
                : formats.probe(path);
        return open(path, provider, options);
    }

    private Image open(Path path, ImageFormatProvider provider, OpenOptions imageOptions) throws IOException {
        Path real = path.toRealPath();
        if (opening.contains(real)) {
            throw new BackingChainException("backing chain loops: " + chainText() + " -> " + path);
        }
        if (opening.size() >= options.maxChainDepth()) {
            throw new ImageLimitException("backing chain deeper than " + options.maxChainDepth() + " images at "
                    + path);
        }
        opening.push(real);
        try {
            return provider.open(path, imageOptions, this);
        } catch (ImageException e) {
            throw ImageErrors.naming(path, e);
        } finally {
            opening.pop();
        }
    }

    @Override
    public FileReference reference(Path image, String name, FileReference.Role role) {
        return QemuNames.reference(image, name, role);
    }

    @Override
    public FileReference reference(Path image, String name, FileReference.Role role, String localName) {
        return QemuNames.reference(image, name, role, localName);
    }

    @Override
    public Path check(FileReference reference) throws IOException {
        return options.filePolicy().resolve(reference);
    }

    @Override
    public BackingFile backing(FileReference reference, String format) throws IOException {
        if (!options.followBacking()) {
            return new BackingFile(null, check(reference));
        }
        Path path = resolve(reference);
        // A declared format is used as is: a raw backing file is never probed, whatever its first bytes say. As in
        // QEMU, an empty one is no declaration, and "file" (its protocol driver) reads the file as it is.
        String declared = format == null || format.isEmpty() ? null : format.equals("file") ? "raw" : format;
        OpenOptions backingOptions = options.toBuilder().format(declared).snapshot(null).build();
        try {
            ImageFormatProvider provider = declared != null ? formats.require(declared, path) : formats.probe(path);
            return new BackingFile(open(path, provider, backingOptions), path);
        } catch (ImageException e) {
            throw e;
        } catch (IOException e) {
            throw cannotOpen(reference, path, e);
        }
    }

    @Override
    public HostFile openFile(FileReference reference) throws IOException {
        Path path = resolve(reference);
        try {
            return HostFile.open(path);
        } catch (IOException e) {
            throw cannotOpen(reference, path, e);
        }
    }

    /** The file the policy gives for {@code reference}; refused by name where there is none. */
    private Path resolve(FileReference reference) throws IOException {
        Path path = options.filePolicy().resolve(reference);
        if (path == null) {
            throw new BackingChainException(reference.path() == null ? QemuNames.whyNoPath(reference)
                    : reference.image() + ": the file policy gave no file for the " + reference.role().description()
                    + " '" + reference.name() + "'");
        }
        return path;
    }

    private static BackingChainException cannotOpen(FileReference reference, Path path, IOException e) {
        String what = reference.image() + ": " + reference.role().description() + " " + path;
        if (e instanceof NoSuchFileException) {
            return new BackingChainException(what + " does not exist", e);
        }
        String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : e.getMessage() != null ? e.getMessage() : e.toString();
        return new BackingChainException(reference.image() + ": cannot open " + reference.role().description() + " "
                + path + ": " + reason, e);
    }

    @Override
    public void charge(Path image, String what, long bytes) throws ImageLimitException {
        memoryUsed += bytes;
        if (memoryUsed > memoryLimit) {
            throw new ImageLimitException(image + ": its " + what + " (" + bytes + " bytes) would bring the tables"
                    + " its backing chain holds in memory to " + memoryUsed + " bytes, over the " + memoryLimit
                    + "-byte limit (" + (options.defaultChainMemoryLimit() ? "a quarter of this JVM's heap"
                    : "the options' chainMemoryLimit") + ")");
        }
    }

    @Override
    public <T> T shared(Class<T> type, Supplier<? extends T> factory) {
        return type.cast(shared.computeIfAbsent(type, t -> factory.get()));
    }

    private String chainText() {
        StringJoiner joiner = new StringJoiner(" -> ");
        opening.descendingIterator().forEachRemaining(p -> joiner.add(p.toString()));
        return joiner.toString();
    }
}
