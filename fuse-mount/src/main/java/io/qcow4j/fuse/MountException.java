package io.qcow4j.fuse;

import java.io.IOException;

/**
 * A mount that could not start: FUSE or libfuse missing, the mount point unusable, or libfuse refusing; nothing is
 * left mounted then. Or one that could not be unmounted ({@link RawFileMount#close()}), which is still mounted. The
 * message is one line meant for the user.
 */
public final class MountException extends IOException {

    public MountException(String message) {
        super(message);
    }

    public MountException(String message, Throwable cause) {
        super(message, cause);
    }
}
