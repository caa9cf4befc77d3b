package io.qcow4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;


/**
 * libvhdi (Debian's libvhdi-utils) as a second reference where qemu-img refuses an image or reads it otherwise:
 * {@code vhdimount} serves the disk it reads as a file, read here whole. It reads VHD and VHDX, differencing ones
 * with their parents, and replays a VHDX log.
 */
public final class Libvhdi {

    private Libvhdi() {
    }

    /** Skips the calling test without vhdimount and FUSE (fails it in CI, whose script installs them). */
    public static void require() {
        Qemu.require("vhdimount");
        Qemu.require("fusermount");
    }

    /** The disk libvhdi reads from {@code image}, through a mount in {@code scratch} that is undone before return. */
    public static byte[] read(Path image, Path scratch) throws IOException {
        Path mountPoint = Files.createDirectories(scratch.resolve("vhdimount-" + System.nanoTime()));
        Qemu.run("vhdimount", image.toString(), mountPoint.toString());
        try {
            return Files.readAllBytes(mountPoint.resolve("vhdi1"));
        } finally {
            Qemu.run("fusermount", "-u", mountPoint.toString());
        }
    }
}
