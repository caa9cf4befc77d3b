package io.qcow4j.cli;

import java.nio.file.Path;
import java.util.Objects;

import io.qcow4j.OpenOptions;
import io.qcow4j.fuse.MountOptions;

/**
 * Everything {@code qcow2 mount [options] IMAGE MOUNTPOINT} asks for, as {@link MountCommand} parses it.
 *
 * @param image        the image file to serve
 * @param mountPoint   an existing, empty directory where the raw file appears
 * @param openOptions  how to open the image ({@code --format}, {@code --safe}, {@code --l2-cache-size},
 *                     {@code --snapshot})
 * @param mountOptions how to present it ({@code --name}, {@code --allow-other}, {@code --page-cache},
 *                     {@code --fuse-debug})
 * @param foreground   {@code -f}: serve from this process until unmounted, instead of returning once the file is
 *                     readable and serving it from a background process
 */
record MountRequest(Path image, Path mountPoint, OpenOptions openOptions, MountOptions mountOptions,
                    boolean foreground) {

    MountRequest {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(mountPoint, "mountPoint");
        Objects.requireNonNull(openOptions, "openOptions");
        Objects.requireNonNull(mountOptions, "mountOptions");
    }

    /** The name the raw file gets inside the mount point. */
    String fileName() {
        return mountOptions.fileNameFor(image);
    }

    /** Whether to serve from this process: asked, or implied by printing every FUSE request. */
    boolean inForeground() {
        return foreground || mountOptions.debug();
    }
}
