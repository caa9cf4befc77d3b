package io.qcow4j.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the FUSE tests share (the mount library's and the command line's): the FUSE precondition and checks that
 * nothing is left behind.
 */
public final class FuseTesting {

    private FuseTesting() {
    }

    /** Skips without FUSE, except in CI, where that fails the test. */
    public static void requireFuse() {
        Qemu.require("fusermount");
        boolean present = Files.exists(Path.of("/dev/fuse"));
        if (!present && Qemu.inCi()) {
            fail("/dev/fuse is missing, and CI=true: the CI container must get --device /dev/fuse");
        }
        assumeTrue(present, "/dev/fuse is missing; skipping");
    }

    /**
     * The mount points listed in /proc/mounts.
     *
     * @return the mount points
     */
    public static List<String> mounts() {
        try {
            return Files.readAllLines(Path.of("/proc/mounts")).stream().map(line -> line.split(" ")[1])
                    .map(FuseTesting::unescape).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether {@code mountPoint} is in /proc/mounts.
     *
     * @param mountPoint the directory
     * @return whether something is mounted there
     */
    public static boolean isMounted(Path mountPoint) {
        return mounts().contains(real(mountPoint).toString());
    }

    /**
     * Fails when something is mounted on {@code mountPoint}.
     *
     * @param mountPoint the directory
     */
    public static void assertNotMounted(Path mountPoint) {
        assertFalse(isMounted(mountPoint), () -> mountPoint + " is still in /proc/mounts");
    }

    /**
     * For finally blocks: whatever a failed test left mounted goes.
     *
     * @param mountPoint the directory
     */
    public static void unmountQuietly(Path mountPoint) {
        if (isMounted(mountPoint)) {
            try {
                new ProcessBuilder("fusermount", "-u", "-z", real(mountPoint).toString()).inheritIO().start().waitFor();
            } catch (IOException e) {
                // the assertion that follows reports it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
