package io.qcow4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.qcow4j.Image;
import io.qcow4j.ImageInfo;

/**
 * An open image and its backing images, each with the name {@code qemu-img} shows for it: the top image as the user
 * typed it, each backing image as its overlay's backing name joined to the overlay's directory.
 */
final class ImageChain {

    /**
     * One image of the chain; depth 0 is the top.
     *
     * @param dataFileName the name of the file its data clusters live in: its external data file, if it has one
     */
    record Layer(String name, Image image, ImageInfo info, String dataFileName) {
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
            layers.add(new Layer(currentName, image, info, dataFileName(currentName, image, info)));
            currentName = info.backingFilename() == null ? null : backingName(currentName, info);
            current = image.backing();
        }
        return layers;
    }

    private static String dataFileName(String name, Image image, ImageInfo info) throws IOException {
        Object dataFile = info.formatSpecific().get("data-file");
        List<Path> files = image.files();
        return dataFile == null || files.size() < 2 ? name : opened(name, dataFile.toString(), files.get(1));
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
        return name.startsWith("file:") ? opened(overlay, name, info.fullBackingFilename()) : combine(overlay, name);
    }

    /**
     * The name of the file that a data file name or a {@code file:} backing name opens, as QEMU names it: the name
     * itself where the reader opened it as it is, from the current directory (as QEMU does); where the reader opened
     * the one next to the overlay instead, that one. (QEMU's {@code file:} prefix names no file.)
     *
     * @param opened the file the reader opened for the name, or null where it could not name one
     */
    static String opened(String overlay, String name, Path opened) {
        String local = name.startsWith("file:") ? name.substring("file:".length()) : name;
        boolean asItIs = local.startsWith("/") || opened != null && opened.toString().equals(local);
        return asItIs ? local : combine(overlay, local);
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
