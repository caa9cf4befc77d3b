package io.qcow4j.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.qcow4j.ImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.SnapshotInfo;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.OpenContext;

/** Reads the internal snapshot table within QEMU's limits. */
final class SnapshotTable {

    static final int FIXED_ENTRY_SIZE = 40;
    /** QEMU's QCOW_MAX_SNAPSHOT_EXTRA_DATA. */
    static final int MAX_EXTRA_DATA = 1024;
    /** QEMU's QCOW_MAX_SNAPSHOTS_SIZE. */
    static final long MAX_TABLE_BYTES = 64L << 20;

    /**
     * One snapshot: its place in the table, where its L1 table is, and what {@code qemu-img info} shows. The L1 table
     * is checked only when the snapshot is read ({@link #checkL1}), as QEMU does: a damaged snapshot leaves the
     * image and its other snapshots readable.
     */
    record Snapshot(int index, long l1TableOffset, int l1Size, SnapshotInfo info) {
    }

    private SnapshotTable() {
    }

    /** The snapshots of {@code image}, whose strings are charged to its chain through {@code context}. */
    static List<Snapshot> read(HostFile file, Qcow2Header header, OpenContext context, Path image)
            throws IOException {
        List<Snapshot> snapshots = new ArrayList<>();
        long offset = header.snapshotsOffset();
        long tableEnd = offset;
        ByteBuffer fixed = ByteBuffer.allocate(FIXED_ENTRY_SIZE);
        for (int i = 0; i < header.snapshotCount(); i++) {
            fixed.clear();
            file.readFully(fixed, tableEnd, "snapshot table entry " + i);
            long l1Offset = fixed.getLong(0);
            int l1Size = fixed.getInt(8);
            int idLength = Short.toUnsignedInt(fixed.getShort(12));
            int nameLength = Short.toUnsignedInt(fixed.getShort(14));
            long dateSec = Integer.toUnsignedLong(fixed.getInt(16));
            long dateNsec = Integer.toUnsignedLong(fixed.getInt(20));
            long vmClockNsec = fixed.getLong(24);
            long vmStateSize = Integer.toUnsignedLong(fixed.getInt(32));
            long extraSize = Integer.toUnsignedLong(fixed.getInt(36));
            if (extraSize > MAX_EXTRA_DATA) {
                throw new ImageLimitException("snapshot table entry " + i + ": extra_data_size " + extraSize
                        + " exceeds " + MAX_EXTRA_DATA + " bytes");
            }
            long variable = extraSize + idLength + nameLength;
            long entryEnd = tableEnd + FIXED_ENTRY_SIZE + variable;
            long entrySize = FIXED_ENTRY_SIZE + variable;
            entrySize = (entrySize + 7) & ~7L;
            if (entryEnd - offset > MAX_TABLE_BYTES) {
                throw new ImageLimitException("snapshot table of " + header.snapshotCount() + " entries exceeds "
                        + MAX_TABLE_BYTES + " bytes at entry " + i);
            }
            context.charge(image, "snapshot table entry " + i, entrySize);
            ByteBuffer rest = ByteBuffer.allocate((int) variable);
            file.readFully(rest, tableEnd + FIXED_ENTRY_SIZE, "snapshot table entry " + i);
            long diskSize = header.virtualSize();
            long icount = -1;
            if (extraSize >= 8) {
                vmStateSize = rest.getLong(0);
            }
            if (extraSize >= 16) {
                diskSize = rest.getLong(8);
            }
            if (extraSize >= 24) {
                icount = rest.getLong(16);
            }
            String id = HeaderExtensions.string(rest, (int) extraSize, idLength);
            String name = HeaderExtensions.string(rest, (int) extraSize + idLength, nameLength);
            snapshots.add(new Snapshot(i, l1Offset, l1Size,
                    new SnapshotInfo(id, name, vmStateSize, dateSec, dateNsec, vmClockNsec, diskSize, icount)));
            tableEnd += entrySize;
        }
        return List.copyOf(snapshots);
    }

    /**
     * The checks QEMU makes before it reads a snapshot's L1 table (and ours: within the file); its disk size plays
     * no part in reading it.
     */
    static void checkL1(Snapshot snapshot, Qcow2Header header, long fileSize) throws ImageException {
        String what = "snapshot " + snapshot.index() + " ('" + snapshot.info().name() + "')";
        long l1Bytes = Integer.toUnsignedLong(snapshot.l1Size()) * 8;
        if (l1Bytes > HeaderParser.MAX_L1_BYTES) {
            throw new ImageLimitException(what + ": l1_size " + Integer.toUnsignedString(snapshot.l1Size())
                    + " makes an L1 table of " + l1Bytes + " bytes, over the " + HeaderParser.MAX_L1_BYTES
                    + "-byte limit");
        }
        HeaderParser.checkTable(what + ": l1_table_offset", snapshot.l1TableOffset(), l1Bytes, header.clusterSize(),
                fileSize);
    }
}
