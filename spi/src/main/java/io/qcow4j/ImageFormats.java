package io.qcow4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.ProbeResult;

/**
 * A set of format providers, and the opening of images through them: the providers of a whole backing chain come from
 * the same set. {@link #defaults()} holds those visible to qcow4j's own class loader (its class path or module
 * layer), which {@link Images} uses; a host that loads providers elsewhere (a plugin host, an application server)
 * names their class loader, or lists the providers itself:
 * <pre>{@code
 * ImageFormats formats = ImageFormats.load(pluginClassLoader);
 * ImageFormats onlyQcow2 = ImageFormats.of(new Qcow2FormatProvider());
 * try (Image image = formats.open(Path.of("disk.qcow2"), OpenOptions.defaults())) { ... }
 * }</pre>
 * Immutable and thread-safe; providers are loaded once, when the set is made.
 */
public final class ImageFormats {

    /** How many broken providers {@link #load} steps over before it stops looking. */
    private static final int MAX_BROKEN_PROVIDERS = 100;

    private final List<ImageFormatProvider> providers;

    private ImageFormats(List<ImageFormatProvider> providers) {
        this.providers = List.copyOf(providers);
    }

    /**
     * The providers visible to the class loader of qcow4j's API, found once, on first use.
     *
     * @return the providers on qcow4j's class path or module path
     */
    public static ImageFormats defaults() {
        return Defaults.FORMATS;
    }

    /**
     * The providers {@link ServiceLoader} finds through {@code loader}, in its order. A provider that cannot be
     * loaded (a jar whose services file names a class that is not there, a constructor that fails) is left out with
     * a warning: one broken jar on the class path must not stop every format from opening.
     *
     * @param loader the class loader to search
     * @return the providers found
     */
    public static ImageFormats load(ClassLoader loader) {
        List<ImageFormatProvider> found = new ArrayList<>();
        Iterator<ImageFormatProvider> providers = ServiceLoader.load(ImageFormatProvider.class, loader).iterator();
        for (int failures = 0; failures < MAX_BROKEN_PROVIDERS; ) {
            try {
                if (!providers.hasNext()) {
                    break;
                }
                found.add(providers.next());
            } catch (ServiceConfigurationError e) {
                // the iterator goes on with the next provider after an error
                failures++;
                // looked up only now: the lookup starts the JDK's logging, costlier than a short command's work
                System.getLogger("io.qcow4j").log(System.Logger.Level.WARNING,
                        "leaving out an image format provider that cannot be loaded: "
                        + e.getMessage());
            }
        }
        return new ImageFormats(found);
    }

    /**
     * Exactly these providers, in this order (the first of two with one name is the one used).
     *
     * @param providers the providers
     * @return a registry of them
     */
    public static ImageFormats of(ImageFormatProvider... providers) {
        return of(List.of(providers));
    }

    /**
     * Exactly these providers, in this order.
     *
     * @param providers the providers
     * @return a registry of them
     */
    public static ImageFormats of(List<? extends ImageFormatProvider> providers) {
        providers.forEach(provider -> Objects.requireNonNull(provider, "provider"));
        return new ImageFormats(new ArrayList<>(providers));
    }

    /**
     * The providers, in the order they are probed.
     *
     * @return the providers
     */
    public List<ImageFormatProvider> providers() {
        return providers;
    }

    /**
     * The provider named {@code name}, if there is one.
     *
     * @param name a provider's name, as {@code qemu-img} spells the format
     * @return the provider, or empty
     */
    public Optional<ImageFormatProvider> provider(String name) {
        return providers.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * Opens {@code path} with {@link OpenOptions#defaults()}: the format is probed.
     *
     * @param path the image file
     * @return the open image
     * @throws IOException as {@link #open(Path, OpenOptions)} throws
     */
    public Image open(Path path) throws IOException {
        return open(path, OpenOptions.defaults());
    }

    /**
     * Opens {@code path} read-only, and its backing chain as the options say: with the provider named by
     * {@link OpenOptions#format()}, or else with the provider whose probe claims the file most strongly.
     *
     * @param path the image file
     * @param options the format, snapshot, backing files, policy and limits
     * @return the open image
     * @throws UnknownFormatException when the format asked for has no provider, or no provider claims the file
     * @throws ImageException         when a provider finds an image of the chain invalid or unsupported, or the
     *                                options' policy or limits refuse it
     * @throws IOException            when the file cannot be read (missing, a directory, no permission)
     */
    public Image open(Path path, OpenOptions options) throws IOException {
        return new ChainContext(this, options).openTop(path);
    }

    /**
     * The provider that claims {@code path} most strongly, reading only its first bytes.
     *
     * @param path the file to probe
     * @return the provider
     * @throws UnknownFormatException when no provider claims the file, or only a fallback (raw) does while the file
     *                                bears the signature of another format QEMU knows (vmdk, vdi, vpc, vhdx, qed,
     *                                parallels, bochs, cloop, luks, dmg)
     */
    public ImageFormatProvider probe(Path path) throws IOException {
        HostFile.requireImageFile(path);
        ByteBuffer start = ByteBuffer.allocate(ImageFormatProvider.PROBE_LENGTH);
        ByteBuffer end = ByteBuffer.allocate(ImageFormatProvider.PROBE_LENGTH);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (start.hasRemaining() && channel.read(start, start.position()) > 0) {
                // a short read leaves the rest for the next round; a short file ends the loop
            }
            long endAt = Math.max(0, channel.size() - end.capacity());
            while (end.hasRemaining() && channel.read(end, endAt + end.position()) > 0) {
                // as for the start
            }
        }
        start.flip();
        end.flip();
        ImageFormatProvider best = null;
        ProbeResult bestResult = ProbeResult.NOT_RECOGNIZED;
        for (ImageFormatProvider provider : providers) {
            ProbeResult result = provider.probe(start.duplicate());
            if (result.compareTo(bestResult) > 0) {
                best = provider;
                bestResult = result;
            }
        }
        for (int i = 0; i < providers.size() && bestResult != ProbeResult.RECOGNIZED; i++) {
            // a signature at the end of the file (a fixed VHD's footer), asked only where no start is recognised
            if (providers.get(i).probeEnd(end.duplicate()) == ProbeResult.RECOGNIZED) {
                best = providers.get(i);
                bestResult = ProbeResult.RECOGNIZED;
            }
        }
        if (bestResult != ProbeResult.RECOGNIZED) {
            // before the fallback (raw) reads a foreign container as if it were the disk
            String foreign = ForeignFormats.identify(start, path);
            if (foreign != null) {
                throw new UnknownFormatException(path + ": a " + foreign + " image, a format no provider here reads"
                        + " (they read " + names() + "); to read the file's bytes as they are, name the format raw");
            }
        }
        if (best == null) {
            throw new UnknownFormatException(path + ": no image format provider recognises the file");
        }
        return best;
    }

    /** The provider named {@code name}, for the image {@code path}, which is first checked to be a readable file. */
    ImageFormatProvider require(String name, Path path) throws IOException {
        HostFile.requireImageFile(path);
        return provider(name).orElseThrow(() -> new UnknownFormatException(
                "unknown image format '" + name + "'; providers here: " + names()));
    }

    private List<String> names() {
        return providers.stream().map(ImageFormatProvider::name).toList();
    }

    @Override
    public String toString() {
        return "ImageFormats" + names();
    }

    private static final class Defaults {
        static final ImageFormats FORMATS = load(ImageFormats.class.getClassLoader());

        private Defaults() {
        }
    }
}
