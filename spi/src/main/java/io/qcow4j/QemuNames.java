package io.qcow4j;

import java.nio.file.Files;
import java.nio.file.Path;

import io.qcow4j.spi.FileNames;

/**
 * Where QEMU opens the files an image names ({@code bdrv_get_full_backing_filename_from_filename} and the open of a
 * data file), so that a chain reads the files qemu-img reads.
 */
final class QemuNames {

    private static final String FILE_PROTOCOL = "file:";
    private static final String JSON_PROTOCOL = "json:";

    private QemuNames() {
    }

    /** {@link io.qcow4j.spi.OpenContext#reference(Path, String, FileReference.Role)}. */
    static FileReference reference(Path image, String name, FileReference.Role role) {
        String protocol = protocolOf(name);
        if (protocol != null && !name.startsWith(FILE_PROTOCOL)) {
            return new FileReference(image, name, role, null);
        }
        String local = protocol != null ? name.substring(FILE_PROTOCOL.length()) : name;
        // a relative backing file or extent name is relative to the image naming it, but a name with a protocol
        // prefix, and a data file's name, are taken as they are, from the current directory
        Path path = protocol != null || role == FileReference.Role.DATA_FILE
                ? fromCurrentDirectory(image, local)
                : resolveSibling(image, local);
        return new FileReference(image, name, role, path);
    }

    /** {@link io.qcow4j.spi.OpenContext#reference(Path, String, FileReference.Role, String)}. */
    static FileReference reference(Path image, String name, FileReference.Role role, String localName) {
        return new FileReference(image, name, role, fromCurrentDirectory(image, localName));
    }

    /** Why a reference leads to no file this reader can open, for the error that refuses it. */
    static String whyNoPath(FileReference reference) {
        String name = reference.name();
        String what = reference.image() + ": the " + reference.role().description() + " '" + name + "'";
        String protocol = protocolOf(name);
        if (name.startsWith(JSON_PROTOCOL)) {
            return what + " is QEMU's json: options, which the provider of this format does not read";
        }
        if (protocol != null && !name.startsWith(FILE_PROTOCOL)) {
            return what + " is reached through QEMU's '" + protocol + ":' protocol, which this reader does not "
                    + "speak: it opens local files only";
        }
        return reference.image() + ": cannot open the " + reference.role().description() + " '" + name + "': "
                + FileNames.whyUnnamable();
    }

    /**
     * The protocol prefix QEMU sees in a file name ({@code path_has_protocol}: text before a colon with no slash in
     * it), or null for none.
     */
    private static String protocolOf(String name) {
        int colon = name.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        String prefix = name.substring(0, colon);
        return prefix.indexOf('/') >= 0 || prefix.indexOf('\\') >= 0 ? null : prefix;
    }

    /**
     * Where QEMU opens a relative name as it is, from its current directory (an external data file's name, a backing
     * name with a protocol prefix), so do we, and read what QEMU reads. Where no such file is there, QEMU fails; we
     * look next to the image instead, where {@code qemu-img create} put it when run from the image's directory, so
     * that an image and its files can be moved together and opened from anywhere.
     */
    private static Path fromCurrentDirectory(Path image, String name) {
        Path named = toPath(name);
        if (named == null || named.isAbsolute() || Files.exists(named)) {
            return named;
        }
        return resolveSibling(image, name);
    }

    private static Path resolveSibling(Path image, String name) {
        Path named = toPath(name);
        if (named == null || named.isAbsolute() || image.getParent() == null) {
            return named;
        }
        return image.getParent().resolve(named);
    }

    private static Path toPath(String name) {
        // "base.qcow2/" names a directory, as the system reads it; Path would drop the slash and open the file
        return FileNames.toPath(name.endsWith("/") ? name + "." : name);
    }
}
