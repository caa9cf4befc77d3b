package io.qcow4j;

/** The snapshot named by {@link OpenOptions#snapshot()} is not in the image. */
public class NoSuchSnapshotException extends ImageException {

    /**
     * An exception with this message.
     *
     * @param message which snapshot is missing, from which image
     */
    public NoSuchSnapshotException(String message) {
        super(message);
    }
}
