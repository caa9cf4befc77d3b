package io.qcow4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The policies {@link FilePolicy} names, each a constant so that {@link OpenOptions#toString()} names it. */
enum BuiltInPolicy implements FilePolicy {
    ALLOW_ALL {
        @Override
        public Path resolve(FileReference reference) {
            return reference.path();
        }
    },
    REFUSE_OTHER_FILES {
        @Override
        public Path resolve(FileReference reference) throws UnsafeImageException {
            throw new UnsafeImageException(reference.image() + ": the image has the " + reference.role()
                    .description() + " '" + reference.name() + "'; safe mode opens no file but the image");
        }
    },
    BESIDE_IMAGE {
        @Override
        public Path resolve(FileReference reference) throws IOException {
            Path path = reference.path();
            if (path == null) {
                return null;
            }
            Path imageDirectory = directoryOf(reference.image().toRealPath());
            Path named = path.toAbsolutePath().normalize();
            // the image may have been opened through a link to its directory: either spelling of it will do
            boolean beside = directoryOf(named).equals(imageDirectory)
                    || directoryOf(named).equals(directoryOf(reference.image().toAbsolutePath().normalize()));
            if (beside && Files.exists(named)) {
                beside = directoryOf(named.toRealPath()).equals(imageDirectory);
            }
            if (!beside) {
                throw new UnsafeImageException(reference.image() + ": the " + reference.role().description()
                        + " '" + reference.name() + "' is not beside the image (" + path + "), and this policy"
                        + " opens only files in the image's own directory");
            }
            return path;
        }
    };

    private static Path directoryOf(Path path) {
        Path parent = path.getParent();
        return parent != null ? parent : path.getRoot();
    }
}
