package io.qcow4j;

/** The image is encrypted (AES or LUKS); qcow4j does not decrypt. */
public class EncryptedImageException extends UnsupportedFeatureException {

    public EncryptedImageException(String message) {
        super(message);
    }

    public EncryptedImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
