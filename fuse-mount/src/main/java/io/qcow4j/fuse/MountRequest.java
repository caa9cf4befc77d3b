package io.qcow4j.fuse;

import java.nio.file.Path;
import java.util.Objects;

import io.qcow4j.OpenOptions;

/**
 * Everything {@code mount IMAGE MOUNTPOINT [options]} asks for, as a command line parser produces it; run it with
 * {@link MountLauncher#run(MountRequest)}.
 *
 * @param image       the image file to serve
 * @param mountPoint  an existing, empty directory where the raw file appears
 * @param openOptions how to open the image ({@code --format}, {@code --safe}, {@code --l2-cache-size},
 *                    {@code --snapshot})
 * @param mountOptions how to present it ({@code --name}, {@code --allow-other}, {@code --debug}, {@code -f})
 */
public record MountRequest(Path image, Path mountPoint, OpenOptions openOptions, MountOptions mountOptions) {

    public MountRequest {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(mountPoint, "mountPoint");
        Objects.requireNonNull(openOptions, "openOptions");
        Objects.requireNonNull(mountOptions, "mountOptions");
    }

    /** The name the raw file gets inside the mount point. */
    public String fileName() {
        return mountOptions.fileNameFor(image);
    }
}
