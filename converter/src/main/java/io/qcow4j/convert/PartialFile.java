package io.qcow4j.convert;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where a conversion writes until its target is complete: a new hidden file beside the target
 * ({@code .NAME.qcow4j-partial-PID}), renamed over the target once complete and deleted on failure, so that a failed,
 * cancelled or killed conversion never leaves a file that looks complete, and a leftover's name says what it is. Every
 * writer of whole files (raw and qcow2) makes its file here.
 */
public final class PartialFile {

    private PartialFile() {
    }

    /**
     * Creates the empty partial file for {@code target}, with the permissions of any new file (0666 less the umask),
     * which the renamed target keeps.
     *
     * @param target the file the conversion will write, in the directory where the partial file goes
     * @param named  the target as the user named it, for messages (a symbolic link to {@code target}, say)
     * @return the new file
     * @throws IOException naming {@code named} when the directory is missing or not writable
     */
    public static Path createBeside(Path target, Path named) throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        String name = "." + target.getFileName() + ".qcow4j-partial-" + ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            Path partial = directory.resolve(attempt == 0 ? name : name + "-" + attempt);
            try {
                Files.newByteChannel(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return partial;
            } catch (FileAlreadyExistsException taken) {
                if (attempt == 100) {
                    throw taken;
                }
            } catch (NoSuchFileException | AccessDeniedException e) {
                throw (FileSystemException) new FileSystemException(named.toString(), null,
                        e instanceof NoSuchFileException ? "No such file or directory" : "Permission denied")
                        .initCause(e);
            }
        }
    }
}
