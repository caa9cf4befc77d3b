package io.qcow4j.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.qcow4j.spi.Image;
import io.qcow4j.spi.ImageInfo;

/**
 * An open image and its backing images, each with the name {@code qemu-img} shows for it: the top image as the user
 * typed it, each backing image as its overlay's backing name joined to the overlay's directory.
 */
final class ImageChain {

    /** One image of the chain; depth 0 is the top. */
    record Layer(String name, Image image, ImageInfo info) {

        /** The name of the file this image's data clusters live in: its external data file, if it has one. */
        String dataFileName() {
            Object dataFile = info.formatSpecific().get("data-file");
            return dataFile == null ? name : opened(name, dataFile.toString());
        }
    }

    /** QEMU's {@code path_has_protocol}: a colon with no slash before it. */
    private static final Pattern PROTOCOL = Pattern.compile("[^/\\\\:]+:");

    private ImageChain() {
    }

    static List<Layer> of(String name, Image top) throws IOException {
        List<Layer> layers = new ArrayList<>();
        String currentName = name;
        Optional<Image> current = Optional.of(top);
        while (current.isPresent()) {
            Image image = current.get();
            ImageInfo info = image.info();
            layers.add(new Layer(currentName, image, info));
            currentName = info.backingFilename() == null ? null : backingName(currentName, info);
            current = image.backing();
        }
        return layers;
    }

    /**
     * The backing image's name: QEMU names one opened through json: options by the file the options name, one named
     * {@code file:NAME} by NAME as it is (it opens it from its current directory), a plain one by the name joined to
     * the overlay's directory.
     */
    private static String backingName(String overlay, ImageInfo info) {
        String name = info.backingFilename();
        if (name.startsWith("json:") && info.fullBackingFilename() != null) {
            return info.fullBackingFilename().toString();
        }
        return name.startsWith("file:") ? opened(overlay, name) : combine(overlay, name);
    }

    /**
     * The name of the file that a data file name or a {@code file:} backing name opens: as QEMU names it, the name
     * itself, which it opens from the current directory; where no such file is there, the reader opened the one next
     * to the overlay, and that one is named. (QEMU's {@code file:} prefix names no file.)
     */
    static String opened(String overlay, String name) {
        String local = name.startsWith("file:") ? name.substring("file:".length()) : name;
        return local.startsWith("/") || inCurrentDirectory(local) ? local : combine(overlay, local);
    }

    private static boolean inCurrentDirectory(String name) {
        try {
            return Files.exists(Path.of(name));
        } catch (InvalidPathException notAFileName) {
            return false;
        }
    }

    /**
     * The backing file's name as {@code qemu-img} prints it ({@code path_combine}): an absolute name, or one with a
     * protocol prefix ({@code file:}, {@code nbd:}...), as it is; a relative one after the overlay's directory as the
     * overlay's name spells it, without normalising.
     */
    static String combine(String overlay, String backing) {
        if (backing.startsWith("/") || PROTOCOL.matcher(backing).lookingAt()) {
            return backing;
        }
        int slash = overlay.lastIndexOf('/');
        return slash < 0 ? backing : overlay.substring(0, slash + 1) + backing;
    }
}
