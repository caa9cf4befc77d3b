package io.qcow4j;

/** A field of the image asks for more than the reader allows (a table too large, too many snapshots, a chain too deep): the message names the field, its value and the limit. */
public class ImageLimitException extends ImageException {

    public ImageLimitException(String message) {
        super(message);
    }

    public ImageLimitException(String message, Throwable cause) {
        super(message, cause);
    }
}
