package io.qcow4j;

/** The image's structures contradict the format or each other: a table outside the file, a misaligned offset, an invalid entry, a compressed cluster that does not decompress. */
public class CorruptImageException extends ImageException {

    public CorruptImageException(String message) {
        super(message);
    }

    public CorruptImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
