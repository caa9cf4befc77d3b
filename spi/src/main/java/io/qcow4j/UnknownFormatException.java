package io.qcow4j;

/** No provider recognises the file, or the format asked for has no provider. */
public class UnknownFormatException extends ImageException {

    /**
     * An exception with this message.
     *
     * @param message what is wrong, naming the image
     */
    public UnknownFormatException(String message) {
        super(message);
    }

    /**
     * An exception with this message and cause.
     *
     * @param message what is wrong, naming the image
     * @param cause the failure that revealed it
     */
    public UnknownFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
