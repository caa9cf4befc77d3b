package io.qcow4j;

/** The image is encrypted (AES or LUKS); qcow4j does not decrypt. */
public class EncryptedImageException extends UnsupportedFeatureException {

    /**
     * An exception with this message.
     *
     * @param message what is wrong, naming the image
     */
    public EncryptedImageException(String message) {
        super(message);
    }

    /**
     * An exception with this message and cause.
     *
     * @param message what is wrong, naming the image
     * @param cause the failure that revealed it
     */
    public EncryptedImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
