package io.qcow4j;

/** The image's structures contradict the format or each other: a table outside the file, a misaligned offset, an invalid entry, a compressed cluster that does not decompress. */
public class CorruptImageException extends ImageException {

    /**
     * An exception with this message.
     *
     * @param message what is wrong, naming the image
     */
    public CorruptImageException(String message) {
        super(message);
    }

    /**
     * An exception with this message and cause.
     *
     * @param message what is wrong, naming the image
     * @param cause the failure that revealed it
     */
    public CorruptImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
