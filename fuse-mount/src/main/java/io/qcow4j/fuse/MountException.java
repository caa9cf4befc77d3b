package io.qcow4j.fuse;

import java.io.IOException;

/**
 * A mount that could not start: FUSE or libfuse missing, the mount point unusable, or libfuse refusing. The message is
 * one line meant for the user; nothing is left mounted.
 */
public final class MountException extends IOException {

    public MountException(String message) {
        super(message);
    }

    public MountException(String message, Throwable cause) {
        super(message, cause);
    }
}
