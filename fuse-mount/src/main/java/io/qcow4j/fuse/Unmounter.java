package io.qcow4j.fuse;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Unmounts with {@code fusermount -u}, which also works for a user who is not root; when the file is still in use
 * (EBUSY) the mount is detached lazily instead, so closing never leaves it behind.
 */
final class Unmounter {

    private Unmounter() {
    }

    static void unmount(Path mountPoint) {
        String point = mountPoint.toAbsolutePath().toString();
        if (run(List.of("fusermount", "-u", point)) != 0 && MountPoints.isMountPoint(mountPoint)) {
            run(List.of("fusermount", "-u", "-z", point));
        }
    }

    private static int run(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            return builder.start().waitFor();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
