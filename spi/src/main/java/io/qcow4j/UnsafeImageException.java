package io.qcow4j;

/** Safe mode refused an image that would make the reader open another file (a backing file or an external data file). */
public class UnsafeImageException extends ImageException {

    public UnsafeImageException(String message) {
        super(message);
    }

    public UnsafeImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
