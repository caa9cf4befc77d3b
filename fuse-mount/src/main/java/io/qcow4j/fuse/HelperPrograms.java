package io.qcow4j.fuse;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds programs such as {@code fusermount} as the shell would, in the directories of a search path: the
 * {@code PATH} of this process, or (in tests) one of the caller's choosing.
 */
final class HelperPrograms {

    private final List<Path> directories;

    HelperPrograms(String searchPath) {
        List<Path> found = new ArrayList<>();
        for (String directory : searchPath.split(File.pathSeparator)) {
            try {
                // an empty entry means the current directory to the shell; a helper is never looked for there
                if (!directory.isEmpty()) {
                    found.add(Path.of(directory));
                }
            } catch (InvalidPathException e) {
                // not a directory anything can be found in
            }
        }
        this.directories = List.copyOf(found);
    }

    /** The programs on this process's {@code PATH}. */
    static HelperPrograms onPath() {
        String path = System.getenv("PATH");
        return new HelperPrograms(path != null ? path : "");
    }

    /** The first executable file named {@code name} in the search path. */
    Optional<Path> find(String name) {
        for (Path directory : directories) {
            Path program = directory.resolve(name);
            if (Files.isRegularFile(program) && Files.isExecutable(program)) {
                return Optional.of(program);
            }
        }
        return Optional.empty();
    }
}
