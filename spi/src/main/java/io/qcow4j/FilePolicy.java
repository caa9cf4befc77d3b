package io.qcow4j;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Which files other than the image itself a backing chain may open: every backing file, external data file and
 * extent that an image names passes through the policy of its {@link OpenOptions} before it is opened, and the
 * policy says which file to open, or refuses. Images from strangers name whatever they like ({@code /etc/shadow}, a
 * device, another user's disk); the host decides.
 *
 * <p>Four policies cover most hosts: {@link #allowAll()} (qemu-img's behaviour, the default),
 * {@link #refuseOtherFiles()} (the command line's {@code --safe}), {@link #besideImage()}, and a host's own resolver,
 * which may map the names images store to files of its own:
 * <pre>{@code
 * FilePolicy fromStore = reference -> store.pathOf(reference.name()); // or throw UnsafeImageException
 * }</pre>
 * A policy is called from the thread that opens the image, once for each file named.
 */
@FunctionalInterface
public interface FilePolicy {

    /**
     * The file to open for {@code reference}: usually {@link FileReference#path()}, where QEMU would open it; null
     * where there is none (the open then fails, naming why).
     *
     * @param reference a file an image names, and where QEMU would open it
     * @return the file to open, or null
     * @throws UnsafeImageException when the policy refuses the file
     * @throws IOException          when the policy cannot decide (a resolver's own failure)
     */
    Path resolve(FileReference reference) throws IOException;

    /**
     * Opens every file where QEMU would: what qemu-img does. For images you trust.
     *
     * @return the policy that opens everything
     */
    static FilePolicy allowAll() {
        return BuiltInPolicy.ALLOW_ALL;
    }

    /**
     * Refuses every image that names another file, whether or not it would be opened: for images from strangers,
     * a single self-contained file is all there is to read.
     *
     * @return the policy that refuses other files
     */
    static FilePolicy refuseOtherFiles() {
        return BuiltInPolicy.REFUSE_OTHER_FILES;
    }

    /**
     * Opens a named file only where it lies in the same directory as the image naming it, itself and through any
     * symbolic links: an image and the chain it needs, kept together in one directory, open; a name that leaves the
     * directory ({@code ../x}, {@code /etc/shadow}, a link out) is refused.
     *
     * @return the policy that keeps a chain in its image's directory
     */
    static FilePolicy besideImage() {
        return BuiltInPolicy.BESIDE_IMAGE;
    }
}
