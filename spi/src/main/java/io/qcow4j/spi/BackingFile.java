package io.qcow4j.spi;

import java.nio.file.Path;

import io.qcow4j.Image;

/**
 * The backing file of an image, as {@link OpenContext#backing} gives it.
 *
 * @param image the backing image, opened; null where the options do not follow backing files
 * @param path  the file it is opened from (or would be), as the host's policy gave it: what {@code qemu-img info}
 *              shows as the full backing file name; null where the name leads to no file
 */
public record BackingFile(Image image, Path path) {
}
