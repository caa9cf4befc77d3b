package io.qcow4j.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Opens images through the {@link ImageFormatProvider}s on the class path.
 *
 * <pre>{@code
 * try (Image image = Images.open(Path.of("disk.qcow2"))) {
 *     ByteBuffer sector = ByteBuffer.allocate(512);
 *     image.readFully(sector, 0);
 * }
 * }</pre>
 */
public final class Images {

    private Images() {
    }

    /** Opens {@code path} with {@link OpenOptions#defaults()}: the format is probed. */
    public static Image open(Path path) throws IOException {
        return open(path, OpenOptions.defaults());
    }

    /**
     * Opens {@code path} read-only: with the provider named by {@link OpenOptions#format()}, or else with the provider
     * whose probe claims the file most strongly.
     *
     * @throws UnknownFormatException when the format asked for has no provider, or no provider claims the file
     * @throws ImageException         when the provider finds the image invalid or unsupported
     * @throws IOException            when the file cannot be read (missing, a directory, no permission)
     */
    public static Image open(Path path, OpenOptions options) throws IOException {
        ImageFormatProvider provider;
        if (options.format() != null) {
            requireImageFile(path);
            provider = require(options.format());
        } else {
            provider = probe(path);
        }
        return provider.open(path, options);
    }

    /**
     * The provider that claims {@code path} most strongly, reading only its first bytes.
     *
     * @throws UnknownFormatException when no provider claims the file, or only a fallback (raw) does while the file
     *                                bears the signature of another format QEMU knows (vmdk, vdi, vpc, vhdx, qed,
     *                                parallels, bochs, cloop, luks, dmg)
     */
    public static ImageFormatProvider probe(Path path) throws IOException {
        requireImageFile(path);
        ByteBuffer start = ByteBuffer.allocate(ImageFormatProvider.PROBE_LENGTH);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (start.hasRemaining() && channel.read(start, start.position()) > 0) {
                // a short read leaves the rest for the next round; a short file ends the loop
            }
        }
        start.flip();
        ImageFormatProvider best = null;
        ProbeResult bestResult = ProbeResult.NOT_RECOGNIZED;
        for (ImageFormatProvider provider : providers()) {
            ProbeResult result = provider.probe(start.duplicate());
            if (result.compareTo(bestResult) > 0) {
                best = provider;
                bestResult = result;
            }
        }
        if (bestResult != ProbeResult.RECOGNIZED) {
            // before the fallback (raw) reads a foreign container as if it were the disk
            String foreign = ForeignFormats.identify(start, path);
            if (foreign != null) {
                throw new UnknownFormatException(path + ": a " + foreign + " image, a format no provider on the class "
                        + "path reads (they read " + providers().stream().map(ImageFormatProvider::name).toList()
                        + "); to read the file's bytes as they are, name the format raw");
            }
        }
        if (best == null) {
            throw new UnknownFormatException(path + ": no image format provider recognises the file");
        }
        return best;
    }

    /**
     * Refuses what cannot hold an image before anything opens it: a directory, and the special files other than
     * block devices (opening a FIFO would wait for a writer that may never come).
     */
    private static void requireImageFile(Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        if (attributes.isDirectory()) {
            throw new FileSystemException(path.toString(), null, "Is a directory");
        }
        if (attributes.isOther() && !isBlockDevice(path)) {
            throw new FileSystemException(path.toString(), null, "not a regular file or block device");
        }
    }

    /** Whether the mode says block device; a special file whose kind the file system cannot tell is not opened. */
    private static boolean isBlockDevice(Path path) {
        try {
            return ((Integer) Files.getAttribute(path, "unix:mode") & 0170000) == 0060000;
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return false;
        }
    }

    /** Every provider on the class path, in {@link ServiceLoader} order. */
    public static List<ImageFormatProvider> providers() {
        List<ImageFormatProvider> providers = new ArrayList<>();
        ServiceLoader.load(ImageFormatProvider.class).forEach(providers::add);
        return providers;
    }

    /** The provider named {@code name}, if one is on the class path. */
    public static Optional<ImageFormatProvider> provider(String name) {
        return providers().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    private static ImageFormatProvider require(String name) throws UnknownFormatException {
        return provider(name).orElseThrow(() -> new UnknownFormatException(
                "unknown image format '" + name + "'; providers on the class path: "
                        + providers().stream().map(ImageFormatProvider::name).toList()));
    }
}
