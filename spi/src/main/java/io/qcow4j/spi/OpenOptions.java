package io.qcow4j.spi;

/**
 * How to open an image. Immutable; start from {@link #defaults()} and change what you need:
 * <pre>{@code
 * OpenOptions untrusted = OpenOptions.defaults().withSafe(true).withFormat("qcow2");
 * }</pre>
 *
 * @param format       the format's provider name ({@code "qcow2"}, {@code "raw"}), or null to probe the file
 * @param safe         for images from strangers: refuse any image that would make the reader open another file
 *                     (a backing file or an external data file)
 * @param l2CacheBytes the most memory a qcow2 image spends caching L2 tables, per image in the chain
 * @param snapshot     the id or name of an internal snapshot to read instead of the active disk, or null
 * @param followBacking whether to open the backing file; without it, ranges the image does not allocate read as
 *                     zeros and {@link Image#backing()} is empty, but {@link Image#info()} still names the backing file
 *                     (what {@code qemu-img info} does without {@code --backing-chain})
 */
public record OpenOptions(String format, boolean safe, long l2CacheBytes, String snapshot, boolean followBacking) {

    /**
     * The default L2 cache: 8 MiB, which maps 64 GiB of virtual disk at 64 KiB clusters
     * (each 8-byte entry maps one cluster).
     */
    public static final long DEFAULT_L2_CACHE_BYTES = 8L << 20;

    public OpenOptions {
        if (l2CacheBytes < 0) {
            throw new IllegalArgumentException("l2CacheBytes must not be negative: " + l2CacheBytes);
        }
    }

    /** Options that follow the backing chain. */
    public OpenOptions(String format, boolean safe, long l2CacheBytes, String snapshot) {
        this(format, safe, l2CacheBytes, snapshot, true);
    }

    /** Probe the format, follow backing files, the default L2 cache, the active disk. */
    public static OpenOptions defaults() {
        return new OpenOptions(null, false, DEFAULT_L2_CACHE_BYTES, null, true);
    }

    public OpenOptions withFormat(String newFormat) {
        return new OpenOptions(newFormat, safe, l2CacheBytes, snapshot, followBacking);
    }

    public OpenOptions withSafe(boolean newSafe) {
        return new OpenOptions(format, newSafe, l2CacheBytes, snapshot, followBacking);
    }

    public OpenOptions withL2CacheBytes(long newL2CacheBytes) {
        return new OpenOptions(format, safe, newL2CacheBytes, snapshot, followBacking);
    }

    public OpenOptions withSnapshot(String newSnapshot) {
        return new OpenOptions(format, safe, l2CacheBytes, newSnapshot, followBacking);
    }

    public OpenOptions withFollowBacking(boolean newFollowBacking) {
        return new OpenOptions(format, safe, l2CacheBytes, snapshot, newFollowBacking);
    }
}
