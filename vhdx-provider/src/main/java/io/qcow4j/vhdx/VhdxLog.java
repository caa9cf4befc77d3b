package io.qcow4j.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.vhd.shared.Storage;

/**
 * The VHDX log: a circular buffer of entries, each a set of 4 KiB pages and zeroed ranges to write to the file. A
 * header whose log GUID is not zero says the last writer stopped before the entries reached the file; the active
 * sequence (the valid entries of consecutive sequence numbers, from the tail its newest entry names to that entry)
 * is replayed here into a {@link ReplayedStorage}, the file untouched.
 */
final class VhdxLog {

    private static final int SECTOR = 4096;
    private static final int ENTRY_SIGNATURE = 0x65676f6c;
    private static final int ZERO_SIGNATURE = 0x6f72657a;
    private static final int DATA_DESCRIPTOR_SIGNATURE = 0x63736564;
    private static final int DATA_SECTOR_SIGNATURE = 0x61746164;
    private static final long MB = 1 << 20;
    /** Larger than any log Hyper-V or QEMU writes (1 MiB by default). */
    private static final long MAX_LOG = 256 * MB;
    /** A bound on the work of finding the active sequence among hostile entries. */
    private static final long MAX_STEPS = 1 << 22;

    /** A valid entry of the log, with what it writes. */
    private record Entry(long offset, long sequence, long tail, long length, long flushedFileOffset,
                         long lastFileOffset, List<Write> writes) {
    }

    /** A page of data or a zeroed range. */
    private record Write(long fileOffset, long length, byte[] data) {
    }

    private VhdxLog() {
    }

    /** The file as it reads after the log is replayed, or the file itself where the log is empty. */
    static Storage replay(Storage file, VhdxHeader header, OpenContext context) throws IOException {
        if (header.logGuid().isZero()) {
            return file;
        }
        if (header.logVersion() != 0) {
            throw new UnsupportedFeatureException("VHDX header: log version " + header.logVersion() + " is not 0");
        }
        long offset = header.logOffset();
        long length = header.logLength();
        if (offset < MB || offset % MB != 0 || length == 0 || length % MB != 0) {
            throw new CorruptImageException("VHDX header: the log at offset " + Long.toUnsignedString(offset) + " ("
                    + length + " bytes) is not in whole MiB past the first");
        }
        if (length > MAX_LOG) {
            throw new ImageLimitException("VHDX header: a log of " + length + " bytes is larger than the "
                    + MAX_LOG + " this reader replays");
        }
        if (offset > file.size() || length > file.size() - offset) {
            throw new CorruptImageException("VHDX log at offset " + offset + " (" + length
                    + " bytes) passes the end of the " + file.size() + "-byte file");
        }
        context.charge(file.path(), "VHDX log", length);
        ByteBuffer log = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
        file.readFully(log, offset, "VHDX log");
        log.flip();
        List<Entry> sequence = activeSequence(log, header.logGuid());
        if (sequence.isEmpty()) {
            return file;
        }
        Entry head = sequence.get(sequence.size() - 1);
        for (Entry entry : sequence) {
            if (Long.compareUnsigned(file.size(), entry.flushedFileOffset()) < 0) {
                throw new CorruptImageException("VHDX log: the file of " + file.size() + " bytes is shorter than the "
                        + Long.toUnsignedString(entry.flushedFileOffset()) + " its log entry " + entry.sequence()
                        + " was written for (truncated image?)");
            }
        }
        ReplayedStorage replayed = new ReplayedStorage(file);
        for (Entry entry : sequence) {
            for (Write write : entry.writes()) {
                replayed.write(write.fileOffset(), write.length(), write.data(), 0);
            }
        }
        replayed.extendTo(head.lastFileOffset());
        return replayed;
    }

    private static List<Entry> activeSequence(ByteBuffer log, Guid logGuid) {
        Map<Long, Entry> valid = new HashMap<>();
        for (long at = 0; at < log.capacity(); at += SECTOR) {
            Entry entry = parse(log, at, logGuid);
            if (entry != null) {
                valid.put(at, entry);
            }
        }
        List<Entry> heads = new ArrayList<>(valid.values());
        heads.sort(Comparator.comparingLong(Entry::sequence).reversed());
        long steps = 0;
        for (Entry head : heads) {
            List<Entry> sequence = new ArrayList<>();
            Entry current = valid.get(head.tail());
            while (current != null && steps++ < MAX_STEPS) {
                sequence.add(current);
                if (current == head) {
                    return sequence;
                }
                Entry next = valid.get((current.offset() + current.length()) % log.capacity());
                current = next != null && next.sequence() == current.sequence() + 1 ? next : null;
            }
        }
        return List.of();
    }

    /** The entry at {@code at}, or null where none valid starts there. */
    private static Entry parse(ByteBuffer log, long at, Guid logGuid) {
        int base = (int) at;
        if (log.capacity() - base < SECTOR || log.getInt(base) != ENTRY_SIGNATURE) {
            return null;
        }
        long length = log.getInt(base + 8) & 0xffffffffL;
        long tail = log.getInt(base + 12) & 0xffffffffL;
        long sequence = log.getLong(base + 16);
        long descriptors = log.getInt(base + 24) & 0xffffffffL;
        // sequence numbers start at 1: a zero one is a sector never written
        if (length < SECTOR || length % SECTOR != 0 || length > log.capacity() || tail % SECTOR != 0
                || tail >= log.capacity() || sequence == 0 || !Guid.read(log, base + 32).equals(logGuid)) {
            return null;
        }
        ByteBuffer entry = entryBytes(log, base, (int) length);
        if (!Checksums.valid(entry, 4)) {
            return null;
        }
        long descriptorBytes = (64 + 32 * descriptors + SECTOR - 1) / SECTOR * SECTOR;
        if (descriptorBytes > length) {
            return null;
        }
        List<Write> writes = new ArrayList<>();
        long dataAt = descriptorBytes;
        for (int i = 0; i < descriptors; i++) {
            int d = 64 + 32 * i;
            int signature = entry.getInt(d);
            long fileOffset = entry.getLong(d + 16);
            if (entry.getLong(d + 24) != sequence || fileOffset < 0 || fileOffset % SECTOR != 0) {
                return null;
            }
            if (signature == ZERO_SIGNATURE) {
                long zeroLength = entry.getLong(d + 8);
                if (zeroLength <= 0 || zeroLength % SECTOR != 0 || zeroLength > Long.MAX_VALUE - fileOffset) {
                    return null;
                }
                writes.add(new Write(fileOffset, zeroLength, null));
            } else if (signature == DATA_DESCRIPTOR_SIGNATURE) {
                if (dataAt + SECTOR > length) {
                    return null;
                }
                int s = (int) dataAt;
                long stamp = ((entry.getInt(s + 4) & 0xffffffffL) << 32) | (entry.getInt(s + SECTOR - 4) & 0xffffffffL);
                if (entry.getInt(s) != DATA_SECTOR_SIGNATURE || stamp != sequence) {
                    return null;
                }
                // the page: 8 leading bytes and 4 trailing ones kept in the descriptor, the sector's 4084 between
                byte[] page = new byte[SECTOR];
                ByteBuffer pageBuffer = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
                pageBuffer.putLong(0, entry.getLong(d + 8));
                entry.get(s + 8, page, 8, SECTOR - 12);
                pageBuffer.putInt(SECTOR - 4, entry.getInt(d + 4));
                writes.add(new Write(fileOffset, SECTOR, page));
                dataAt += SECTOR;
            } else {
                return null;
            }
        }
        if (dataAt != length) {
            return null;
        }
        return new Entry(at, sequence, tail, length, entry.getLong(48), entry.getLong(56), List.copyOf(writes));
    }

    /**
     * The {@code length} bytes of the entry at {@code base}: the log is circular, so an entry that reaches its end goes
     * on at its start (as QEMU's writer, among others, writes one once the log has wrapped).
     */
    private static ByteBuffer entryBytes(ByteBuffer log, int base, int length) {
        int first = Math.min(length, log.capacity() - base);
        if (first == length) {
            return log.slice(base, length).order(ByteOrder.LITTLE_ENDIAN);
        }
        byte[] bytes = new byte[length];
        log.get(base, bytes, 0, first);
        log.get(0, bytes, first, length - first);
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
