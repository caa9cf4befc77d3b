package io.qcow4j.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.qcow4j.CorruptImageException;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.vhd.shared.Storage;

/**
 * One of the two VHDX headers (at 64 KiB and 128 KiB, 4 KiB each): the valid one of the higher sequence number is
 * the current one; two valid ones of the same sequence number must be the same.
 *
 * @param logGuid non-zero when the log holds entries that must be replayed before the file is read
 */
record VhdxHeader(long sequenceNumber, Guid dataWriteGuid, Guid logGuid, int logVersion, int version,
                  long logLength, long logOffset) {

    static final int SIZE = 4096;
    private static final int SIGNATURE = 0x64616568;
    private static final long[] OFFSETS = {64 * 1024, 128 * 1024};

    /** The current header, checking signature, checksum and version. */
    static VhdxHeader current(Storage file) throws IOException {
        VhdxHeader best = null;
        ByteBuffer bestBytes = null;
        String[] why = new String[2];
        for (int i = 0; i < 2; i++) {
            if (file.size() < OFFSETS[i] + SIZE) {
                why[i] = "the file ends before it";
                continue;
            }
            ByteBuffer bytes = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
            file.readFully(bytes, OFFSETS[i], "VHDX header " + (i + 1));
            bytes.flip();
            if (bytes.getInt(0) != SIGNATURE) {
                why[i] = "no \"head\" signature";
            } else if (!Checksums.valid(bytes, 4)) {
                why[i] = "checksum mismatch";
            } else {
                VhdxHeader header = new VhdxHeader(bytes.getLong(8), Guid.read(bytes, 32), Guid.read(bytes, 48),
                        bytes.getShort(64) & 0xffff, bytes.getShort(66) & 0xffff, bytes.getInt(68) & 0xffffffffL,
                        bytes.getLong(72));
                int order = best == null ? 1 : Long.compareUnsigned(header.sequenceNumber(), best.sequenceNumber());
                if (order == 0 && !bytes.equals(bestBytes)) {
                    // neither is current (the spec's corrupt file); two identical copies (Disk2VHD writes them)
                    // are one header
                    throw new CorruptImageException("VHDX headers: both valid, of the same sequence number "
                            + Long.toUnsignedString(header.sequenceNumber()) + ", but different: neither is current");
                }
                if (order > 0) {
                    best = header;
                    bestBytes = bytes;
                }
            }
        }
        if (best == null) {
            throw new CorruptImageException("VHDX headers: neither is valid (header 1: " + why[0] + "; header 2: "
                    + why[1] + ")");
        }
        if (best.version() != 1) {
            throw new UnsupportedFeatureException("VHDX header: version " + best.version() + " is not 1");
        }
        return best;
    }
}
