package io.qcow4j.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.fuse.MountException;
import io.qcow4j.fuse.RawFileMount;

/**
 * Serves a request from this process until it is unmounted: by {@code fusermount -u}, {@code umount}, or a signal
 * that runs the shutdown hooks (the mount's own hook unmounts). As the child of a {@link BackgroundMount} it reports
 * one line on standard output instead of error lines: {@link #READY}, or {@link #FAILED} and why.
 */
final class ForegroundMount {

    /** The line a child prints on standard output once the file is readable. */
    static final String READY = "ready";
    /** The prefix of the line a child prints instead when the mount failed. */
    static final String FAILED = "failed: ";

    private final MountRequest request;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean reportReady;

    ForegroundMount(MountRequest request, PrintStream out, PrintStream err, boolean reportReady) {
        this.request = request;
        this.out = out;
        this.err = err;
        this.reportReady = reportReady;
    }

    int run() {
        Image image;
        RawFileMount mount;
        try {
            image = open(request);
            try {
                // a background process's standard error goes nowhere: its read errors go to the system log
                mount = RawFileMount.mount(image, request.mountPoint(), request.mountOptions().toBuilder()
                        .fileName(request.fileName()).build(), reportReady ? SyslogLines.stream() : err);
            } catch (IOException | RuntimeException e) {
                closeQuietly(image);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            String line = oneLine(e);
            if (reportReady) {
                out.println(FAILED + line);
                out.flush();
            } else {
                err.println("qcow2: " + line);
            }
            return Failures.FAILED;
        }
        if (reportReady) {
            out.println(READY);
            out.flush();
            // the parent stops listening once it has the line; nothing else may go there
            out.close();
        }
        try {
            mount.awaitUnmount();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(mount);
            closeQuietly(image);
        }
        return 0;
    }

    /** Opens the image as the request says, with a one-line message when it cannot be. */
    private static Image open(MountRequest request) throws MountException {
        try {
            return Images.open(request.image(), request.openOptions());
        } catch (IOException e) {
            throw new MountException("cannot open " + request.image() + ": " + describe(e), e);
        } catch (RuntimeException e) {
            throw new MountException("cannot open " + request.image() + ": " + e, e);
        }
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static String oneLine(Exception e) {
        String message = e instanceof MountException || e.getMessage() != null ? e.getMessage() : e.toString();
        return message.replace('\n', ' ');
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // nothing left to do with it
        }
    }
}
