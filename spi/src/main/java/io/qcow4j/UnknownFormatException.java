package io.qcow4j;

/** No provider recognises the file, or the format asked for has no provider. */
public class UnknownFormatException extends ImageException {

    public UnknownFormatException(String message) {
        super(message);
    }

    public UnknownFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
