package io.qcow4j.examples.cli;

import java.io.IOException;
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

    /** The backing image's name: QEMU names one opened through json: options by the file the options name. */
    private static String backingName(String overlay, ImageInfo info) {
        if (info.backingFilename().startsWith("json:") && info.fullBackingFilename() != null) {
            return info.fullBackingFilename().toString();
        }
        return opened(overlay, info.backingFilename());
    }

    /** The name of the file that a backing or data file name opens: QEMU's {@code file:} prefix names no file. */
    static String opened(String overlay, String name) {
        return combine(overlay, name.startsWith("file:") ? name.substring("file:".length()) : name);
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
