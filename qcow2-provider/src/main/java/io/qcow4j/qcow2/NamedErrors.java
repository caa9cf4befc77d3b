package io.qcow4j.qcow2;

import java.nio.file.Path;

import io.qcow4j.spi.BackingChainException;
import io.qcow4j.spi.CorruptImageException;
import io.qcow4j.spi.EncryptedImageException;
import io.qcow4j.spi.ImageException;
import io.qcow4j.spi.ImageLimitException;
import io.qcow4j.spi.UnknownFormatException;
import io.qcow4j.spi.UnsafeImageException;
import io.qcow4j.spi.UnsupportedFeatureException;

/**
 * Names the image an error is about. In a backing chain, the top image is the one the caller knows; a damaged backing
 * file reported as "cluster_bits 99 is outside 9..21" would send them to the wrong file. Each image of the chain puts
 * its name before the errors that pass through it, so that the message reads as the path down the chain:
 * {@code top.qcow2: base.qcow2: qcow2 header: cluster_bits 99 is outside 9..21}.
 */
final class NamedErrors {

    private NamedErrors() {
    }

    /** {@code e}, or an exception of exactly its type whose message starts with {@code image}, caused by it. */
    static ImageException naming(Path image, ImageException e) {
        String message = e.getMessage();
        String name = image.toString();
        if (message != null && (message.startsWith(name + ": ") || message.startsWith(name + " "))) {
            return e;
        }
        String named = name + ": " + message;
        if (e.getClass() == CorruptImageException.class) {
            return new CorruptImageException(named, e);
        } else if (e.getClass() == ImageLimitException.class) {
            return new ImageLimitException(named, e);
        } else if (e.getClass() == UnsupportedFeatureException.class) {
            return new UnsupportedFeatureException(named, e);
        } else if (e.getClass() == BackingChainException.class) {
            return new BackingChainException(named, e);
        } else if (e.getClass() == UnknownFormatException.class) {
            return new UnknownFormatException(named, e);
        } else if (e.getClass() == EncryptedImageException.class) {
            return new EncryptedImageException(named, e);
        } else if (e.getClass() == UnsafeImageException.class) {
            return new UnsafeImageException(named, e);
        } else if (e.getClass() == ImageException.class) {
            return new ImageException(named, e);
        }
        // a type of its own (a snapshot the caller named, another provider's): left as it is
        return e;
    }
}
