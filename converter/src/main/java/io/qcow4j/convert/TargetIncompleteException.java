package io.qcow4j.convert;

import java.nio.file.Path;

/**
 * A conversion into an existing target ({@link ConvertOptions#overwriteExisting()}, or a block device) failed or was
 * cancelled after it had started writing: the target was kept, but holds a mix of old and new bytes. The cause is
 * the {@link ConversionException} saying why (a {@link ConversionCancelledException} when cancelled).
 */
public class TargetIncompleteException extends ConversionException {

    private final transient Path target;

    /**
     * An exception for a target left incomplete.
     *
     * @param target the target
     * @param cause why the conversion stopped
     */
    public TargetIncompleteException(Path target, ConversionException cause) {
        super(target + " is incomplete: " + cause.getMessage(), cause);
        this.target = target;
    }

    /**
     * The target left incomplete.
     *
     * @return the target's path
     */
    public Path target() {
        return target;
    }

    @Override
    public synchronized ConversionException getCause() {
        return (ConversionException) super.getCause();
    }
}
