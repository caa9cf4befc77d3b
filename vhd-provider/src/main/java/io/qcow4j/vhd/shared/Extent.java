package io.qcow4j.vhd.shared;

/**
 * A run of guest bytes that one format's block map treats alike.
 *
 * @param kind       how the run is read
 * @param length     its length in bytes, at least 1
 * @param hostOffset where a {@link Kind#DATA} run's bytes start in the image's storage, else -1
 */
public record Extent(Kind kind, long length, long hostOffset) {

    /** How a run is read. */
    public enum Kind {
        /** Stored in this image at {@link #hostOffset()}. */
        DATA,
        /** Reads as zeros, whatever a parent holds. */
        ZERO,
        /** Not in this image: read from the parent, or zeros where there is none. */
        PARENT
    }

    public static Extent data(long length, long hostOffset) {
        return new Extent(Kind.DATA, length, hostOffset);
    }

    public static Extent zero(long length) {
        return new Extent(Kind.ZERO, length, -1);
    }

    public static Extent parent(long length) {
        return new Extent(Kind.PARENT, length, -1);
    }
}
