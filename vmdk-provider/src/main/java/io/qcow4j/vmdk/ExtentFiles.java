package io.qcow4j.vmdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qcow4j.FileReference;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.OpenContext;

/**
 * Opens the files a descriptor names as extents, only through the open context (so the host's policy decides which
 * open), each once however many extent lines name it. Whatever the policy allows, a device, FIFO or socket is never
 * opened as an extent: a descriptor from a stranger naming {@code /dev/sda} would otherwise read the host's disk, and
 * a FIFO would wait forever for a writer.
 */
final class ExtentFiles {

    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFSOCK = 0140000;

    private final Path image;
    private final OpenContext context;
    private final Map<String, HostFile> opened = new LinkedHashMap<>();

    ExtentFiles(Path image, OpenContext context) {
        this.image = image;
        this.context = context;
    }

    /** The file of the extent on {@code line}, opened once. */
    HostFile open(ExtentLine line) throws IOException {
        FileReference reference = reference(line);
        Path where = context.check(reference);
        if (where != null) {
            HostFile known = opened.get(where.toString());
            if (known != null) {
                return known;
            }
            refuseSpecial(where, line);
        }
        HostFile file = context.openFile(reference);
        try {
            // the name may have been swapped for a device between the look and the open
            refuseSpecial(file.path(), line);
        } catch (IOException e) {
            file.close();
            throw e;
        }
        HostFile known = opened.putIfAbsent(file.path().toString(), file);
        if (known != null) {
            file.close();
            return known;
        }
        return file;
    }

    /**
     * Where the name leads as QEMU reads it (its bytes as they are); where that is no file, the name as the
     * descriptor's encoding reads it, where that differs and is a file.
     */
    private FileReference reference(ExtentLine line) {
        FileReference reference = context.reference(image, line.name(), FileReference.Role.EXTENT);
        if (line.declaredName() == null || exists(reference)) {
            return reference;
        }
        FileReference declared = context.reference(image, line.declaredName(), FileReference.Role.EXTENT);
        return exists(declared) ? declared : reference;
    }

    static boolean exists(FileReference reference) {
        return reference.path() != null && Files.exists(reference.path());
    }

    /** The files opened, in the order first named. */
    List<HostFile> files() {
        return new ArrayList<>(opened.values());
    }

    private void refuseSpecial(Path path, ExtentLine line) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            // the context's open names the missing file
            return;
        }
        if (attributes.isRegularFile() || attributes.isDirectory()) {
            return;
        }
        throw new UnsafeImageException(image + ": descriptor line " + line.line() + ": the extent file '"
                + line.name() + "' (" + path + ") is " + kind(path) + "; extents are read only from regular files");
    }

    private static String kind(Path path) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", new LinkOption[0]);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "not a regular file";
        }
        return switch (mode & S_IFMT) {
            case S_IFBLK -> "a block device";
            case S_IFCHR -> "a character device";
            case S_IFIFO -> "a FIFO";
            case S_IFSOCK -> "a socket";
            default -> "not a regular file";
        };
    }
}
