package io.qcow4j;

/** The image uses a feature this reader does not implement; the message names it. */
public class UnsupportedFeatureException extends ImageException {

    public UnsupportedFeatureException(String message) {
        super(message);
    }

    public UnsupportedFeatureException(String message, Throwable cause) {
        super(message, cause);
    }
}
