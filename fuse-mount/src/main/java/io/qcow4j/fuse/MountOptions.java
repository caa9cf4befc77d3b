package io.qcow4j.fuse;

import java.nio.file.Path;

/**
 * How an image is presented through FUSE. Immutable; start from {@link #defaults()}:
 * <pre>{@code
 * MountOptions options = MountOptions.defaults().withFileName("disk.raw").withAllowOther(true);
 * }</pre>
 *
 * @param fileName   the name of the raw file inside the mount point, or null for the image file's name with its
 *                   extension replaced by {@code .raw} ({@code ubuntu.qcow2} gives {@code ubuntu.raw})
 * @param allowOther let users other than the one who mounts read the file (FUSE's {@code allow_other}); unless the
 *                   mounting user is root, {@code /etc/fuse.conf} must contain {@code user_allow_other}
 * @param debug      print every FUSE request on standard error (libfuse's {@code -d}); implies foreground
 * @param foreground for a launcher (the command line's -f): keep the mount in the calling process until it is unmounted, instead
 *                   of returning once the file is readable and serving it from a background process.
 *                   {@link RawFileMount#mount} always serves from the calling process and ignores it
 * @param pageCache  serve the file through the kernel's page cache and its read-ahead instead of direct I/O: faster
 *                   for tools that read in small blocks ({@code dd}'s default 512 bytes, e2fsck, a loop device's
 *                   file system), slower for large sequential reads, and the image's bytes take memory twice
 *                   (compressed in the image file's pages, raw in the mount's)
 */
public record MountOptions(String fileName, boolean allowOther, boolean debug, boolean foreground,
                           boolean pageCache) {

    public MountOptions {
        if (fileName != null) {
            requireValidFileName(fileName);
        }
    }

    /** Options without {@code pageCache} (off), as they were before it. */
    public MountOptions(String fileName, boolean allowOther, boolean debug, boolean foreground) {
        this(fileName, allowOther, debug, foreground, false);
    }

    /** The default name, not shared with others, served from the background, by direct I/O where the kernel can. */
    public static MountOptions defaults() {
        return new MountOptions(null, false, false, false, false);
    }

    public MountOptions withFileName(String newFileName) {
        return new MountOptions(newFileName, allowOther, debug, foreground, pageCache);
    }

    public MountOptions withAllowOther(boolean newAllowOther) {
        return new MountOptions(fileName, newAllowOther, debug, foreground, pageCache);
    }

    public MountOptions withDebug(boolean newDebug) {
        return new MountOptions(fileName, allowOther, newDebug, foreground, pageCache);
    }

    public MountOptions withForeground(boolean newForeground) {
        return new MountOptions(fileName, allowOther, debug, newForeground, pageCache);
    }

    public MountOptions withPageCache(boolean newPageCache) {
        return new MountOptions(fileName, allowOther, debug, foreground, newPageCache);
    }

    /** The name the raw file gets for {@code image}: {@link #fileName()} when set, else {@link #defaultFileName}. */
    public String fileNameFor(Path image) {
        return fileName != null ? fileName : defaultFileName(image);
    }

    /**
     * The image file's name with its last extension replaced by {@code .raw}: {@code ubuntu.qcow2} gives
     * {@code ubuntu.raw}, {@code disk} gives {@code disk.raw}.
     */
    public static String defaultFileName(Path image) {
        Path name = image.getFileName();
        String base = name == null ? "image" : name.toString();
        int dot = base.lastIndexOf('.');
        // a leading dot marks a hidden file, not an extension
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        return base + ".raw";
    }

    private static void requireValidFileName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid file name '" + name
                    + "': it must be a single path component, not empty, '.' or '..'");
        }
    }
}
