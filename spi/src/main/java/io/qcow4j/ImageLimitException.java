package io.qcow4j;

/** A field of the image asks for more than the reader allows (a table too large, too many snapshots, a chain too deep): the message names the field, its value and the limit. */
public class ImageLimitException extends ImageException {

    /**
     * An exception with this message.
     *
     * @param message what is wrong, naming the image
     */
    public ImageLimitException(String message) {
        super(message);
    }

    /**
     * An exception with this message and cause.
     *
     * @param message what is wrong, naming the image
     * @param cause the failure that revealed it
     */
    public ImageLimitException(String message, Throwable cause) {
        super(message, cause);
    }
}
