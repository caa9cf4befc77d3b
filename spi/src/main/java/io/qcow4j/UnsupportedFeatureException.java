package io.qcow4j;

/** The image uses a feature this reader does not implement; the message names it. */
public class UnsupportedFeatureException extends ImageException {

    /**
     * An exception with this message.
     *
     * @param message what is wrong, naming the image
     */
    public UnsupportedFeatureException(String message) {
        super(message);
    }

    /**
     * An exception with this message and cause.
     *
     * @param message what is wrong, naming the image
     * @param cause the failure that revealed it
     */
    public UnsupportedFeatureException(String message, Throwable cause) {
        super(message, cause);
    }
}
