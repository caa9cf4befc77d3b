package io.qcow4j.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Widens the kernel's read-ahead window for the mount. The kernel gives a FUSE file system at most 128 KiB of
 * read-ahead, which is a single request of libfuse 2's 128 KiB maximum: a sequential reader then keeps one request in
 * flight, and only one thread decompresses. A wider window keeps several requests in flight, so the serving threads
 * decompress clusters in parallel. Only root may change it; for anyone else the default stays.
 */
final class ReadAhead {

    /** Eight requests of 128 KiB in flight. */
    static final int KIB = 1024;

    private ReadAhead() {
    }

    /** Raises the window of the file system mounted at {@code realMountPoint}; returns whether it could. */
    static boolean widen(Path realMountPoint) {
        String device = MountPoints.device(realMountPoint);
        if (device == null) {
            return false;
        }
        Path setting = Path.of("/sys/class/bdi", device, "read_ahead_kb");
        try {
            if (!Files.isWritable(setting)) {
                return false;
            }
            Files.writeString(setting, Integer.toString(KIB));
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** The window now in force for the file system at {@code realMountPoint}, in KiB, or -1 when unknown. */
    static int current(Path realMountPoint) {
        String device = MountPoints.device(realMountPoint);
        try {
            return device == null ? -1
                    : Integer.parseInt(Files.readString(Path.of("/sys/class/bdi", device, "read_ahead_kb")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
