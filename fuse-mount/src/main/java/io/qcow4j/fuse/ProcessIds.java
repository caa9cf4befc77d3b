package io.qcow4j.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's user and group, read from {@code /proc/self/status} to avoid a native call. */
final class ProcessIds {

    private ProcessIds() {
    }

    static long uid() {
        return field("Uid:");
    }

    static long gid() {
        return field("Gid:");
    }

    private static long field(String prefix) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(prefix)) {
                    // real, effective, saved, file-system ids: the effective one owns what we create
                    return Long.parseLong(line.substring(prefix.length()).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: root is as good a guess as any for a read-only file
        }
        return 0;
    }
}
