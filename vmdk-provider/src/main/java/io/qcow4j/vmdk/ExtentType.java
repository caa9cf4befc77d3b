package io.qcow4j.vmdk;

/** The type word of a descriptor's extent line. */
enum ExtentType {
    /** Raw sectors in a file, from an offset. */
    FLAT,
    /** A hosted sparse extent (a KDMV header), or an ESX COWD one: QEMU opens either by its magic. */
    SPARSE,
    /** No file: the range reads as zeros. */
    ZERO,
    /** ESX's flat extent on VMFS, always from offset 0. */
    VMFS,
    /** ESX's redo log (COWD), or a hosted sparse extent. */
    VMFSSPARSE,
    /** ESX's space-efficient sparse extent. */
    SESPARSE;

    /** Whether the extent's file holds the disk's bytes as they are, with no tables. */
    boolean flat() {
        return this == FLAT || this == VMFS;
    }
}
