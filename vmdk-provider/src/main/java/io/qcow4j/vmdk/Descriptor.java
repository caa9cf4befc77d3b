package io.qcow4j.vmdk;

import java.util.List;

/**
 * What a descriptor says of a disk.
 *
 * @param createType         the {@code createType} value, or null where the descriptor has none
 * @param cid                the content ID, an unsigned 32-bit value
 * @param parentCid          the parent's content ID when this disk was made ({@code ffffffff} for none)
 * @param parentFileNameHint the parent disk's file name, or null
 * @param extents            the extent lines, in order
 * @param parentDeclaredName the parent's file name decoded with the descriptor's {@code encoding}, where that reads
 *                           it otherwise; else null
 */
record Descriptor(String createType, long cid, long parentCid, String parentFileNameHint, List<ExtentLine> extents,
                  String parentDeclaredName) {

    /** A parent CID that names no parent. */
    static final long NO_PARENT = 0xffffffffL;

    Descriptor {
        extents = List.copyOf(extents);
    }
}
