package io.qcow4j;

/** The backing chain cannot be followed: it loops, or a backing file is missing or unreadable. */
public class BackingChainException extends ImageException {

    /**
     * An exception with this message.
     *
     * @param message what is wrong, naming the image
     */
    public BackingChainException(String message) {
        super(message);
    }

    /**
     * An exception with this message and cause.
     *
     * @param message what is wrong, naming the image
     * @param cause the failure that revealed it
     */
    public BackingChainException(String message, Throwable cause) {
        super(message, cause);
    }
}
