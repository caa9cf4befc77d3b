package io.qcow4j;

/** Safe mode refused an image that would make the reader open another file (a backing file or an external data file). */
public class UnsafeImageException extends ImageException {

    /**
     * An exception with this message.
     *
     * @param message what is wrong, naming the image
     */
    public UnsafeImageException(String message) {
        super(message);
    }

    /**
     * An exception with this message and cause.
     *
     * @param message what is wrong, naming the image
     * @param cause the failure that revealed it
     */
    public UnsafeImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
