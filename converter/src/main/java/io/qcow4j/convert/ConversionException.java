package io.qcow4j.convert;

import java.io.IOException;

/**
 * A conversion failed. The message names the cause: the source's error (with the source and the guest offset), the
 * target's ({@code "no space left on device"} when its file system is full), or the cancellation; the original
 * exception is the cause. A new target has been deleted when this is thrown; an existing one is reported with
 * {@link TargetIncompleteException}.
 */
public class ConversionException extends IOException {

    /**
     * An exception with this message and cause.
     *
     * @param message what failed, naming the image or the target
     * @param cause the failure
     */
    public ConversionException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * An exception with this message.
     *
     * @param message what failed, naming the image or the target
     */
    public ConversionException(String message) {
        super(message);
    }
}
