package io.qcow4j;

import java.io.IOException;

/**
 * Something is wrong with an image's content, as opposed to the file system it lives on. Each kind of problem has its
 * own subclass; the message names the field, its value and the limit.
 */
public class ImageException extends IOException {

    /**
     * An exception with this message.
     *
     * @param message what is wrong, naming the image
     */
    public ImageException(String message) {
        super(message);
    }

    /**
     * An exception with this message and cause.
     *
     * @param message what is wrong, naming the image
     * @param cause the failure that revealed it
     */
    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
