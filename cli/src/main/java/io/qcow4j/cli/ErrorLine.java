package io.qcow4j.cli;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns any failure into the one line {@code qcow2: <what>: <why>}, worded like the C library's messages that
 * {@code qemu-img} users know, and never longer than one line.
 */
final class ErrorLine {

    /** How {@link java.io.FileOutputStream} and friends word a failed open: {@code path (reason)}. */
    private static final Pattern FILE_NOT_FOUND = Pattern.compile("(.*) \\((.*)\\)");

    private ErrorLine() {
    }

    /**
     * @param subject the file the command was working on, used when the failure names no file of its own
     */
    static String of(String subject, Throwable failure) {
        Throwable cause = unwrap(failure);
        String what = subject;
        String why;
        Matcher fileNotFound = cause instanceof FileNotFoundException && cause.getMessage() != null
                ? FILE_NOT_FOUND.matcher(cause.getMessage()) : null;
        if (cause instanceof FileSystemException fs && fs.getFile() != null) {
            what = fs.getFile();
            why = reason(fs);
        } else if (fileNotFound != null && fileNotFound.matches()) {
            what = fileNotFound.group(1);
            why = fileNotFound.group(2);
        } else if (cause instanceof RuntimeException && !(cause instanceof IllegalArgumentException)
                || cause instanceof Error) {
            // a bug in qcow4j rather than a problem with the image: say so, and where to look
            why = "internal error: " + cause + " (--debug shows where)";
        } else {
            why = withoutPrefix(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(),
                    what);
        }
        return "qcow2: " + (what == null ? "" : what + ": ") + oneLine(why);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof UncheckedIOException || t instanceof CompletionException
                || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String reason(FileSystemException e) {
        if (e.getReason() != null) {
            return e.getReason();
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "File exists";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "Directory not empty";
        }
        return e.getClass().getSimpleName();
    }

    /** Providers often start their messages with the file name; it is already in the line. */
    private static String withoutPrefix(String message, String what) {
        if (what != null && message.startsWith(what + ": ")) {
            return message.substring(what.length() + 2);
        }
        return message;
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
