package io.qcow4j.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qcow4j.testing.Qemu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What the FUSE tests share: the FUSE precondition and checks that nothing is left behind. */
final class FuseTesting {

    private FuseTesting() {
    }

    /** Skips without FUSE, except in CI, where that fails the test. */
    static void requireFuse() {
        Qemu.require("fusermount");
        boolean present = Files.exists(Path.of("/dev/fuse"));
        if (!present && Qemu.inCi()) {
            fail("/dev/fuse is missing, and CI=true: the CI container must get --device /dev/fuse");
        }
        assumeTrue(present, "/dev/fuse is missing; skipping");
    }

    /** The mount points listed in /proc/mounts. */
    static List<String> mounts() {
        try {
            return Files.readAllLines(Path.of("/proc/mounts")).stream().map(line -> line.split(" ")[1])
                    .map(FuseTesting::unescape).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isMounted(Path mountPoint) {
        return mounts().contains(real(mountPoint).toString());
    }

    static void assertNotMounted(Path mountPoint) {
        assertThat(mounts()).as("/proc/mounts").doesNotContain(real(mountPoint).toString());
    }

    /** For finally blocks: whatever a failed test left mounted goes. */
    static void unmountQuietly(Path mountPoint) {
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

    /** The process serving {@code mountPoint} in the background, found by its command line. */
    static Optional<ProcessHandle> server(Path mountPoint) {
        String point = mountPoint.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(List::of)
                        .map(args -> args.contains(MountMain.class.getName()) && args.contains(point))
                        .orElse(false))
                .findFirst();
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
