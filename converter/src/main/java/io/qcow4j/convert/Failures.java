package io.qcow4j.convert;

import java.io.IOException;
import java.nio.file.Path;

import io.qcow4j.Image;

/** Turns what the source or the target threw into a {@link ConversionException} whose message says where and why. */
final class Failures {

    private Failures() {
    }

    static ConversionException source(Image source, long offset, Throwable e) {
        String name = describe(source);
        String reason = reason(e);
        // the reader's errors start with the image they are about: said once
        if (reason.startsWith(name + ": ")) {
            reason = reason.substring(name.length() + 2);
        }
        return new ConversionException("cannot read source " + name + " at offset " + offset + ": " + reason, e);
    }

    static ConversionException target(Path target, String action, long offset, Throwable e) {
        String where = offset >= 0 ? " at offset " + offset : "";
        return new ConversionException("cannot write target " + target + " (" + action + where + "): "
                + (isNoSpace(e) ? "no space left on device" : reason(e)), e);
    }

    /** ENOSPC or EDQUOT: the JDK reports both with strerror's text and no exception type of their own. */
    static boolean isNoSpace(Throwable e) {
        String message = e.getMessage();
        return message != null && (message.contains("No space left on device")
                || message.contains("Disk quota exceeded"));
    }

    private static String reason(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** The source's file name when its info can tell, else its format: the message must name the source. */
    private static String describe(Image source) {
        try {
            Path file = source.info().filename();
            if (file != null) {
                return file.toString();
            }
        } catch (IOException | RuntimeException ignored) {
            // an image too broken to describe itself still has a format
        }
        return "(" + source.format() + " image)";
    }
}
