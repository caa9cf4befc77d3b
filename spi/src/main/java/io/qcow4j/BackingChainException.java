package io.qcow4j;

/** The backing chain cannot be followed: it loops, or a backing file is missing or unreadable. */
public class BackingChainException extends ImageException {

    public BackingChainException(String message) {
        super(message);
    }

    public BackingChainException(String message, Throwable cause) {
        super(message, cause);
    }
}
