package io.qcow4j;

/** The snapshot named by {@link OpenOptions#snapshot()} is not in the image. */
public class NoSuchSnapshotException extends ImageException {

    public NoSuchSnapshotException(String message) {
        super(message);
    }
}
