package io.qcow4j.vdi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.qcow4j.CorruptImageException;
import io.qcow4j.UnsupportedFeatureException;

/**
 * A VDI header, little-endian, after the 64-byte text banner, the signature and the version: version 0.2 (the first
 * VirtualBox releases), 1.1 with the 384-byte header and 1.1 with the 400-byte one (an LCHS geometry added), which
 * VirtualBox 3 to 7 write. Version 0.2 has no offsets: its block map follows the header, its data the map. As
 * VirtualBox, any other minor of major 1 is read as 1.1, and no other major 0.
 *
 * @param type            1 dynamic, 2 static, 3 undo, 4 differencing
 * @param uuidCreate      this image's UUID, which a child names as its parent
 * @param uuidLinkage     the parent's UUID in a differencing image
 */
record VdiHeader(int version, int type, long blocksOffset, long dataOffset, long diskSize, long blockSize,
                 long blockExtra, long blocks, byte[] uuidCreate, byte[] uuidLinkage) {

    static final int SIGNATURE = 0xbeda107f;
    static final int SIGNATURE_AT = 64;
    /** The one version of major 0 VirtualBox reads, with the old layout (VDIHEADER0). */
    static final int VERSION_0 = 0x00000002;
    static final int VERSION_1_1 = 0x00010001;
    static final int TYPE_DYNAMIC = 1;
    static final int TYPE_STATIC = 2;
    static final int TYPE_UNDO = 3;
    static final int TYPE_DIFFERENCING = 4;
    /** The pre-header: banner, signature, version. */
    private static final int PRE_HEADER = 72;
    private static final int HEADER_0 = 348;
    private static final int HEADER_1 = 384;
    /** Enough for every version; a file shorter than its header is refused. */
    static final int READ_LENGTH = 512;

    static boolean hasSignature(ByteBuffer start) {
        return start.remaining() >= SIGNATURE_AT + 4
                && start.order(ByteOrder.LITTLE_ENDIAN).getInt(start.position() + SIGNATURE_AT) == SIGNATURE;
    }

    static VdiHeader parse(ByteBuffer bytes) throws CorruptImageException, UnsupportedFeatureException {
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < PRE_HEADER || b.getInt(SIGNATURE_AT) != SIGNATURE) {
            throw new CorruptImageException("not a VDI: no signature 0xbeda107f at offset 64");
        }
        int version = b.getInt(68);
        if (version == VERSION_0) {
            requireLength(b, PRE_HEADER + HEADER_0, "version 0.2");
            long blocks = b.getInt(PRE_HEADER + 292) & 0xffffffffL;
            long blocksAt = PRE_HEADER + HEADER_0;
            return new VdiHeader(version, b.getInt(PRE_HEADER), blocksAt, blocksAt + 4 * blocks,
                    b.getLong(PRE_HEADER + 280), b.getInt(PRE_HEADER + 288) & 0xffffffffL, 0, blocks,
                    uuid(b, PRE_HEADER + 300), uuid(b, PRE_HEADER + 332));
        }
        if (version >>> 16 != 1) {
            throw new UnsupportedFeatureException(String.format("VDI header: version %d.%d is not 0.2 or 1.x, the "
                    + "versions VirtualBox reads", version >>> 16, version & 0xffff));
        }
        requireLength(b, PRE_HEADER + HEADER_1, "version 1");
        long headerSize = b.getInt(PRE_HEADER) & 0xffffffffL;
        if (headerSize < HEADER_1) {
            throw new CorruptImageException("VDI header: header size " + headerSize + " is less than the "
                    + HEADER_1 + " bytes of version 1");
        }
        long blocksOffset = b.getInt(PRE_HEADER + 268) & 0xffffffffL;
        if (blocksOffset < PRE_HEADER + HEADER_1) {
            throw new CorruptImageException("VDI header: the block map at offset " + blocksOffset + " is inside the "
                    + (PRE_HEADER + HEADER_1) + " bytes of the header");
        }
        return new VdiHeader(version, b.getInt(PRE_HEADER + 4), blocksOffset,
                b.getInt(PRE_HEADER + 272) & 0xffffffffL, b.getLong(PRE_HEADER + 296),
                b.getInt(PRE_HEADER + 304) & 0xffffffffL, b.getInt(PRE_HEADER + 308) & 0xffffffffL,
                b.getInt(PRE_HEADER + 312) & 0xffffffffL, uuid(b, PRE_HEADER + 320), uuid(b, PRE_HEADER + 352));
    }

    private static void requireLength(ByteBuffer b, int length, String version) throws CorruptImageException {
        if (b.remaining() < length) {
            throw new CorruptImageException("VDI header: the file ends at " + b.remaining() + " bytes, inside the "
                    + length + " bytes of a " + version + " header");
        }
    }

    private static byte[] uuid(ByteBuffer b, int at) {
        byte[] uuid = new byte[16];
        b.get(at, uuid);
        return uuid;
    }

    boolean differencing() {
        return type == TYPE_DIFFERENCING || type == TYPE_UNDO;
    }

    /** A UUID as VirtualBox shows it (its first three fields little-endian). */
    static String uuidText(byte[] uuid) {
        ByteBuffer b = ByteBuffer.wrap(uuid).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder text = new StringBuilder(String.format("%08x-%04x-%04x-", b.getInt(0), b.getShort(4),
                b.getShort(6)));
        for (int i = 8; i < 16; i++) {
            text.append(i == 10 ? "-" : "").append(String.format("%02x", uuid[i] & 0xff));
        }
        return text.toString();
    }
}
