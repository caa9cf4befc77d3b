package io.qcow4j.convert;

/**
 * The conversion was cancelled: through {@link Conversion#cancel()}, or by interrupting the thread waiting in
 * {@link Converter#convert} or {@link Conversion#await()} (whose interrupt status is then set again).
 */
public class ConversionCancelledException extends ConversionException {

    /**
     * An exception with this message.
     *
     * @param message what was cancelled, and what became of the target
     */
    public ConversionCancelledException(String message) {
        super(message);
    }
}
