package io.qcow4j.fuse;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link RawFileMount} presents an image through FUSE. Immutable; made by a {@link Builder}:
 * <pre>{@code
 * MountOptions options = MountOptions.builder()
 *         .fileName("disk.raw")
 *         .allowOther(true)
 *         .build();
 * }</pre>
 * Where the mount is served from (this process, or a background one) is the caller's business: {@link RawFileMount}
 * always serves from the process that mounts.
 */
public final class MountOptions {

    private static final MountOptions DEFAULTS = builder().build();

    private final String fileName;
    private final boolean allowOther;
    private final boolean debug;
    private final boolean pageCache;

    private MountOptions(Builder builder) {
        this.fileName = builder.fileName;
        this.allowOther = builder.allowOther;
        this.debug = builder.debug;
        this.pageCache = builder.pageCache;
    }

    /**
     * The default name, not shared with other users, no request printed, by direct I/O where the kernel can.
     *
     * @return the default options
     */
    public static MountOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these options, to change some of them.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The raw file's name inside the mount point; empty for {@link #defaultFileName} of the image file.
     *
     * @return the name, or empty
     */
    public Optional<String> fileName() {
        return Optional.ofNullable(fileName);
    }

    /**
     * Whether users other than the one who mounts may read the file (FUSE's {@code allow_other}); unless the mounting
     * user is root, {@code /etc/fuse.conf} must contain {@code user_allow_other}.
     *
     * @return whether other users may read the file
     */
    public boolean allowOther() {
        return allowOther;
    }

    /**
     * Whether every FUSE request is printed on standard error (libfuse's {@code -d}).
     *
     * @return whether requests are printed
     */
    public boolean debug() {
        return debug;
    }

    /**
     * Whether the file is served through the kernel's page cache and its read-ahead instead of by direct I/O: faster
     * for tools that read in small blocks ({@code dd}'s default 512 bytes, e2fsck, a loop device's file system),
     * slower for large sequential reads, and the image's bytes take memory twice (compressed in the image file's
     * pages, raw in the mount's).
     *
     * @return whether the page cache serves the file
     */
    public boolean pageCache() {
        return pageCache;
    }

    /**
     * The name the raw file gets for {@code image}: {@link #fileName()} when set, else {@link #defaultFileName}.
     *
     * @param image the image file
     * @return the raw file's name
     */
    public String fileNameFor(Path image) {
        return fileName != null ? fileName : defaultFileName(image);
    }

    /**
     * The image file's name with its last extension replaced by {@code .raw}: {@code ubuntu.qcow2} gives
     * {@code ubuntu.raw}, {@code disk} gives {@code disk.raw}.
     *
     * @param image the image file
     * @return the raw file's name
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

    @Override
    public boolean equals(Object other) {
        return other instanceof MountOptions o && Objects.equals(fileName, o.fileName) && allowOther == o.allowOther
                && debug == o.debug && pageCache == o.pageCache;
    }

    @Override
    public int hashCode() {
        return Objects.hash(fileName, allowOther, debug, pageCache);
    }

    @Override
    public String toString() {
        return "MountOptions[fileName=" + fileName + ", allowOther=" + allowOther + ", debug=" + debug
                + ", pageCache=" + pageCache + "]";
    }

    /** Builds {@link MountOptions}; starts from {@link #defaults()}. Not thread-safe. */
    public static final class Builder {
        private String fileName;
        private boolean allowOther;
        private boolean debug;
        private boolean pageCache;

        private Builder() {
        }

        private Builder(MountOptions options) {
            fileName = options.fileName;
            allowOther = options.allowOther;
            debug = options.debug;
            pageCache = options.pageCache;
        }

        /**
         * The raw file's name inside the mount point, or null (the default) for {@link #defaultFileName} of the
         * image file.
         *
         * @param fileName the name, or null
         * @return this builder
         * @throws IllegalArgumentException unless it is a single path component, not empty, {@code .} or {@code ..}
         */
        public Builder fileName(String fileName) {
            if (fileName != null) {
                requireValidFileName(fileName);
            }
            this.fileName = fileName;
            return this;
        }

        /**
         * See {@link MountOptions#allowOther()}.
         *
         * @param allowOther whether other users may read the file
         * @return this builder
         */
        public Builder allowOther(boolean allowOther) {
            this.allowOther = allowOther;
            return this;
        }

        /**
         * See {@link MountOptions#debug()}.
         *
         * @param debug whether to print every request
         * @return this builder
         */
        public Builder debug(boolean debug) {
            this.debug = debug;
            return this;
        }

        /**
         * See {@link MountOptions#pageCache()}.
         *
         * @param pageCache whether to serve through the page cache
         * @return this builder
         */
        public Builder pageCache(boolean pageCache) {
            this.pageCache = pageCache;
            return this;
        }

        /**
         * The options set so far.
         *
         * @return the options
         */
        public MountOptions build() {
            return new MountOptions(this);
        }

        private static void requireValidFileName(String name) {
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                    || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid file name '" + name
                        + "': it must be a single path component, not empty, '.' or '..'");
            }
        }
    }
}
