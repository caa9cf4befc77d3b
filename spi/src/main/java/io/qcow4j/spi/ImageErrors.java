package io.qcow4j.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;

import io.qcow4j.BackingChainException;
import io.qcow4j.CorruptImageException;
import io.qcow4j.EncryptedImageException;
import io.qcow4j.ImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.UnknownFormatException;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.UnsupportedFeatureException;

/**
 * Names the image an error is about. In a backing chain, the top image is the one the caller knows; a damaged backing
 * file reported as "cluster_bits 99 is outside 9..21" would send them to the wrong file. Each image of the chain puts
 * its name before the errors that pass through it, so that the message reads as the path down the chain:
 * {@code top.qcow2: base.qcow2: qcow2 header: cluster_bits 99 is outside 9..21}. The {@link OpenContext} does this
 * for every open; a provider does it for the errors its reads throw.
 */
public final class ImageErrors {

    /** How to make each exception type of the API again, with another message and the original as cause. */
    private static final Map<Class<?>, BiFunction<String, Throwable, ImageException>> REMAKE = Map.of(
            ImageException.class, ImageException::new,
            CorruptImageException.class, CorruptImageException::new,
            ImageLimitException.class, ImageLimitException::new,
            UnsupportedFeatureException.class, UnsupportedFeatureException::new,
            EncryptedImageException.class, EncryptedImageException::new,
            BackingChainException.class, BackingChainException::new,
            UnknownFormatException.class, UnknownFormatException::new,
            UnsafeImageException.class, UnsafeImageException::new);

    private ImageErrors() {
    }

    /**
     * {@code e}, or an exception of exactly its type whose message starts with {@code image}, caused by it. A type
     * of its own (a snapshot the caller named, another provider's) is left as it is, as is a message that already
     * starts with the name.
     *
     * @param image the image the error is about
     * @param e the error
     * @return an exception naming the image
     */
    public static ImageException naming(Path image, ImageException e) {
        String message = e.getMessage();
        String name = image.toString();
        BiFunction<String, Throwable, ImageException> remake = REMAKE.get(e.getClass());
        if (remake == null || message != null && (message.startsWith(name + ": ") || message.startsWith(name + " "))) {
            return e;
        }
        return remake.apply(name + ": " + message, e);
    }
}
