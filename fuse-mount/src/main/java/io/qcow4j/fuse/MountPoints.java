package io.qcow4j.fuse;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks made before asking libfuse to mount, so each way a mount cannot start gets one clear line instead of
 * libfuse's messages (or its hanging on a busy mount point).
 */
final class MountPoints {

    private static final Path DEV_FUSE = Path.of("/dev/fuse");
    private static final Path MOUNT_INFO = Path.of("/proc/self/mountinfo");

    private MountPoints() {
    }

    /** A FUSE mount whose process died (killed, say): the kernel answers every look at it with ENOTCONN. */
    private static boolean isStaleMount(Path mountPoint) {
        try {
            Files.readAttributes(mountPoint, BasicFileAttributes.class);
            return false;
        } catch (FileSystemException e) {
            return "Transport endpoint is not connected".equals(e.getReason());
        } catch (IOException e) {
            return false;
        }
    }

    /** Fails unless FUSE is there and {@code mountPoint} is an existing, empty directory with nothing mounted on it. */
    static Path checkUsable(Path mountPoint) throws MountException {
        if (!Files.exists(DEV_FUSE)) {
            throw new MountException("FUSE is not available: /dev/fuse does not exist (load the fuse kernel module; "
                    + "in a container, pass --device /dev/fuse)");
        }
        if (!Files.exists(mountPoint)) {
            if (isStaleMount(mountPoint)) {
                throw new MountException("mount point " + mountPoint + " holds a FUSE mount whose server is gone"
                        + " (Transport endpoint is not connected): unmount it first, with fusermount -u "
                        + mountPoint);
            }
            throw new MountException("mount point " + mountPoint + " does not exist");
        }
        if (!Files.isDirectory(mountPoint)) {
            throw new MountException("mount point " + mountPoint + " is not a directory");
        }
        Path real;
        try {
            real = mountPoint.toRealPath();
        } catch (IOException e) {
            throw new MountException("mount point " + mountPoint + " cannot be resolved: " + e.getMessage(), e);
        }
        if (isMountPoint(real)) {
            throw new MountException("mount point " + mountPoint + " is busy: something is already mounted there");
        }
        boolean empty;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(real)) {
            empty = !entries.iterator().hasNext();
        } catch (IOException e) {
            throw new MountException("mount point " + mountPoint + " cannot be read: " + e.getMessage(), e);
        }
        if (!empty) {
            throw new MountException("mount point " + mountPoint + " is not empty");
        }
        return real;
    }

    /** Whether something is mounted exactly at {@code realPath} (already resolved), as this process sees it. */
    static boolean isMountPoint(Path realPath) {
        return mountPoints().contains(realPath.toString());
    }

    /** The mount points in {@code /proc/self/mountinfo}, octal escapes decoded. */
    static List<String> mountPoints() {
        List<String> points = new ArrayList<>();
        for (String[] fields : mountInfo()) {
            points.add(unescape(fields[4]));
        }
        return points;
    }

    private static List<String[]> mountInfo() {
        List<String[]> lines = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(MOUNT_INFO)) {
                String[] fields = line.split(" ");
                if (fields.length > 4) {
                    lines.add(fields);
                }
            }
        } catch (IOException e) {
            // no /proc: libfuse will report a busy mount point itself
        }
        return lines;
    }

    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
