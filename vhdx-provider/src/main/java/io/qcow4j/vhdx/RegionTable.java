package io.qcow4j.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.qcow4j.CorruptImageException;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.vhd.shared.Storage;

/**
 * The region table (at 192 KiB, a copy at 256 KiB, 64 KiB each): where the BAT and the metadata are.
 */
record RegionTable(Region bat, Region metadata) {

    record Region(long offset, long length) {
    }

    static final Guid BAT = Guid.parse("2DC27766-F623-4200-9D64-115E9BFD4A08");
    static final Guid METADATA = Guid.parse("8B7CA206-4790-4B9A-B8FE-575F050F886E");
    private static final int SIZE = 64 * 1024;
    private static final int SIGNATURE = 0x69676572;
    private static final int MAX_ENTRIES = 2047;
    private static final long MB = 1 << 20;

    /** The first valid copy, its regions checked against the file. */
    static RegionTable read(Storage file) throws IOException {
        String[] why = new String[2];
        for (int copy = 0; copy < 2; copy++) {
            long at = (192 + 64L * copy) * 1024;
            if (file.size() < at + SIZE) {
                why[copy] = "the file ends before it";
                continue;
            }
            ByteBuffer bytes = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
            file.readFully(bytes, at, "VHDX region table " + (copy + 1));
            bytes.flip();
            if (bytes.getInt(0) != SIGNATURE) {
                why[copy] = "no \"regi\" signature";
            } else if (!Checksums.valid(bytes, 4)) {
                why[copy] = "checksum mismatch";
            } else {
                return parse(bytes, copy + 1, file.size());
            }
        }
        throw new CorruptImageException("VHDX region tables: neither is valid (table 1: " + why[0] + "; table 2: "
                + why[1] + ")");
    }

    private static RegionTable parse(ByteBuffer b, int copy, long fileSize)
            throws CorruptImageException, UnsupportedFeatureException {
        String name = "VHDX region table " + copy;
        long count = b.getInt(8) & 0xffffffffL;
        if (count > MAX_ENTRIES) {
            throw new CorruptImageException(name + ": " + count + " entries are more than " + MAX_ENTRIES);
        }
        Region bat = null;
        Region metadata = null;
        for (int i = 0; i < count; i++) {
            int at = 16 + 32 * i;
            Guid guid = Guid.read(b, at);
            Region region = new Region(b.getLong(at + 16), b.getInt(at + 24) & 0xffffffffL);
            boolean required = (b.getInt(at + 28) & 1) != 0;
            if (guid.equals(BAT)) {
                bat = check(region, name + " BAT region", fileSize);
            } else if (guid.equals(METADATA)) {
                metadata = check(region, name + " metadata region", fileSize);
            } else if (required) {
                throw new UnsupportedFeatureException(name + ": required region " + guid + " is unknown");
            }
        }
        if (bat == null || metadata == null) {
            throw new CorruptImageException(name + ": no " + (bat == null ? "BAT" : "metadata") + " region");
        }
        return new RegionTable(bat, metadata);
    }

    private static Region check(Region region, String name, long fileSize) throws CorruptImageException {
        if (region.offset() < MB || region.offset() % MB != 0 || region.length() % MB != 0
                || region.length() == 0) {
            throw new CorruptImageException(name + " at offset " + Long.toUnsignedString(region.offset()) + " ("
                    + region.length() + " bytes) is not in whole MiB past the first");
        }
        if (region.offset() > fileSize || region.length() > fileSize - region.offset()) {
            throw new CorruptImageException(name + " at offset " + region.offset() + " (" + region.length()
                    + " bytes) passes the end of the " + fileSize + "-byte file");
        }
        return region;
    }
}
