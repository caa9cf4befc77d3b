package io.qcow4j.fuse;

import java.io.IOException;

/**
 * A mount that could not start: FUSE or libfuse missing, the mount point unusable, or libfuse refusing; nothing is
 * left mounted then. Or one that could not be unmounted ({@link RawFileMount#close()}), which is still mounted. The
 * message is one line meant for the user.
 */
public final class MountException extends IOException {

    /**
     * How the message ends when libfuse refused the mount and said why on standard error, just before: a launcher
     * that serves from a process of its own, and keeps that process's standard error, can put libfuse's words in its
     * place.
     */
    public static final String LIBFUSE_MESSAGE_ABOVE = " (its message is above)";

    /**
     * An exception with this message.
     *
     * @param message what failed, and what to do where there is something to do
     */
    public MountException(String message) {
        super(message);
    }

    /**
     * An exception with this message and cause.
     *
     * @param message what failed, and what to do where there is something to do
     * @param cause the failure
     */
    public MountException(String message, Throwable cause) {
        super(message, cause);
    }
}
