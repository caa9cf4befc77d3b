package io.qcow4j.vmdk;

/** The bounds a VMDK must stay within before anything it asks for is read or held. */
final class Limits {

    /** The most of a descriptor read, as QEMU reads it: a descriptor is a few KiB of text. */
    static final int DESCRIPTOR_BYTES = (1 << 20) - 1;

    /**
     * The most extents a descriptor may list: 16 TiB of 2 GiB extents, twice the largest disk VMware's hosted
     * products make. Each one is an open file.
     */
    static final int EXTENTS = 8192;

    /** QEMU's bound on a grain: 0x200000 sectors, 1 GiB. */
    static final long GRAIN_SECTORS = 0x200000;

    /** QEMU's bound on the entries of a grain directory, 32 Mi (128 MiB of 32-bit entries). */
    static final long GRAIN_DIRECTORY_ENTRIES = 32L * 1024 * 1024;

    /** QEMU's bound on the entries of a hosted sparse extent's grain table. */
    static final int HOSTED_GRAIN_TABLE_ENTRIES = 512;

    /** A disk, or an extent, of more bytes than this is refused: offsets stay far from overflowing a long. */
    static final long DISK_BYTES = 1L << 62;

    private Limits() {
    }
}
