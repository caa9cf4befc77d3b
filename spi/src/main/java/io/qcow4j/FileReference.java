package io.qcow4j;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file that an image names and asks to open: its backing file, its external data file, or one of its extents. The
 * {@link FilePolicy} of the {@link OpenOptions} sees each one before anything opens it.
 *
 * @param image the image that names the file, as it was opened
 * @param name  the name as the image stores it ({@code ../base.qcow2}, {@code file:disk.raw}, {@code json:{...}})
 * @param role  what the file is to the image
 * @param path  where QEMU would open it: a relative name against the naming image's directory (a backing file, an
 *              extent) or from the current directory (a data file, a name with a protocol prefix; where no such file
 *              is there, next to the image); null where the name reaches no local file this JVM can open (another
 *              protocol, such as {@code nbd://}, or bytes the file-name encoding cannot map)
 */
public record FileReference(Path image, String name, Role role, Path path) {

    /** What a named file is to the image that names it. */
    public enum Role {
        /** An image that supplies the ranges this one leaves unallocated; opened as an image of its own. */
        BACKING("backing file"),
        /** A file holding this image's data clusters (qcow2's {@code data_file}); read as raw bytes. */
        DATA_FILE("external data file"),
        /** A part of this image's data kept in a file of its own (a VMDK extent); read by the image's format. */
        EXTENT("extent file");

        private final String description;

        Role(String description) {
            this.description = description;
        }

        /**
         * In words, for messages: "backing file", "external data file", "extent file".
         *
         * @return the role in words
         */
        public String description() {
            return description;
        }
    }

    /**
     * Checks that the reference names an image, a name and a role.
     *
     * @param image as the record describes it
     * @param name as the record describes it
     * @param role as the record describes it
     * @param path as the record describes it
     */
    public FileReference {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }
}
