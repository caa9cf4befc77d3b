package io.qcow4j.vmdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.Deflater;

/**
 * Builds VMDK extents byte by byte from the Virtual Disk Format 5.0 specification, as the writers qemu-img does not
 * imitate lay them out (VMware Workstation and vdiskmanager, ESXi's redo logs and seSparse, ovftool's and
 * VirtualBox's streams, vmdktool, DiscUtils, FreeBSD's mkimg): each builder takes the disk's bytes, so a test knows
 * what every sector must read.
 */
final class Fixtures {

    static final int SECTOR = 512;

    private Fixtures() {
    }

    /** A disk of {@code bytes}: grains of pseudo-random bytes, text and zeros, seeded. */
    static byte[] content(int bytes, int grainBytes, long seed) {
        Random random = new Random(seed);
        byte[] disk = new byte[bytes];
        byte[] text = ("vmdk fixture " + seed + ": the quick brown fox jumps over the lazy dog\n")
                .getBytes(StandardCharsets.US_ASCII);
        for (int at = 0; at < bytes; at += grainBytes) {
            int end = Math.min(bytes, at + grainBytes);
            switch (random.nextInt(4)) {
                case 0 -> {
                    byte[] noise = new byte[end - at];
                    random.nextBytes(noise);
                    System.arraycopy(noise, 0, disk, at, noise.length);
                }
                case 1 -> {
                    for (int i = at; i < end; i++) {
                        disk[i] = text[i % text.length];
                    }
                }
                case 2 -> disk[at + random.nextInt(end - at)] = (byte) (1 + random.nextInt(255));
                default -> {
                    // a zero grain
                }
            }
        }
        return disk;
    }

    static boolean isZero(byte[] disk, long from, long to) {
        for (long i = from; i < Math.min(to, disk.length); i++) {
            if (disk[(int) i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** A descriptor as VMware writes it, LF line ends; {@code extentLines} and {@code extra} lines as given. */
    static String descriptor(long cid, long parentCid, String createType, String parentHint, String... extentLines) {
        StringBuilder text = new StringBuilder("# Disk DescriptorFile\nversion=1\nencoding=\"UTF-8\"\n");
        text.append(String.format("CID=%08x%nparentCID=%08x%n", cid, parentCid).replace("\r", ""));
        text.append("isNativeSnapshot=\"no\"\ncreateType=\"").append(createType).append("\"\n");
        if (parentHint != null) {
            text.append("parentFileNameHint=\"").append(parentHint).append("\"\n");
        }
        text.append("\n# Extent description\n");
        for (String line : extentLines) {
            text.append(line).append('\n');
        }
        text.append("\n# The Disk Data Base\n#DDB\n\nddb.adapterType = \"lsilogic\"\n")
                .append("ddb.geometry.cylinders = \"16\"\nddb.geometry.heads = \"255\"\n")
                .append("ddb.geometry.sectors = \"63\"\nddb.longContentID = \"0123456789abcdef0123456789abcdef\"\n")
                .append("ddb.uuid = \"60 00 C2 9a 00 00 00 00-00 00 00 00 00 00 00 00\"\n")
                .append("ddb.virtualHWVersion = \"13\"\n");
        return text.toString();
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        return file;
    }

    static Path write(Path file, String text) throws IOException {
        return write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A hosted sparse extent (KDMV), monolithicSparse as VMware's hosted products and most tools write it: header,
     * embedded descriptor, redundant and primary grain directories each followed by their tables, then the grains.
     */
    static final class Hosted {
        int version = 1;
        int grainSectors = 128;
        int tableEntries = 512;
        boolean redundant = true;
        boolean zeroedGrains;
        /** Grains that are stored as zeroed-grain entries (with {@link #zeroedGrains}). */
        Set<Long> zeroed = Set.of();
        /** Grain indexes in the order their data is written to the file; null for disk order. */
        long[] order;
        String descriptor;
        /** A capacity of 0 and a descriptor only: the embedded-descriptor case. */
        boolean descriptorOnly;
        /** The room kept for the descriptor, as VMware and QEMU keep it; less for small fuzzing seeds. */
        int descriptorRoom = 20;

        byte[] build(byte[] disk) {
            long capacity = descriptorOnly ? 0 : disk.length / SECTOR;
            long grains = (capacity + grainSectors - 1) / grainSectors;
            long tables = (grains + tableEntries - 1) / tableEntries;
            int tableSectors = (tableEntries * 4 + SECTOR - 1) / SECTOR;
            int directorySectors = (int) ((tables * 4 + SECTOR - 1) / SECTOR);
            byte[] text = descriptor == null ? new byte[0] : descriptor.getBytes(StandardCharsets.UTF_8);
            long descriptorSectors = descriptor == null ? 0
                    : Math.max(descriptorRoom, (text.length + SECTOR - 1) / SECTOR);
            long rgd = 1 + descriptorSectors;
            long gd = redundant ? rgd + directorySectors + tables * tableSectors : rgd;
            long overhead = roundUp(gd + directorySectors + tables * tableSectors, grainSectors);
            List<Long> written = new ArrayList<>();
            if (order != null) {
                for (long g : order) {
                    written.add(g);
                }
            } else {
                for (long g = 0; g < grains; g++) {
                    written.add(g);
                }
            }
            long[] grainSector = new long[(int) grains];
            long next = overhead;
            for (long g : written) {
                if (zeroed.contains(g) || isZero(disk, g * grainSectors * SECTOR, (g + 1) * grainSectors * SECTOR)) {
                    continue;
                }
                grainSector[(int) g] = next;
                next += grainSectors;
            }
            ByteBuffer file = le(next * SECTOR);
            header(file, capacity, overhead, gd, rgd, descriptorSectors, 0);
            file.put(SECTOR, text);
            tables(file, rgd, directorySectors, tables, tableSectors, grainSector);
            if (redundant) {
                tables(file, gd, directorySectors, tables, tableSectors, grainSector);
            }
            for (long g = 0; g < grains; g++) {
                if (grainSector[(int) g] != 0) {
                    int from = (int) (g * grainSectors * SECTOR);
                    int length = Math.min(grainSectors * SECTOR, disk.length - from);
                    file.put((int) (grainSector[(int) g] * SECTOR), disk, from, length);
                }
            }
            return file.array();
        }

        private void tables(ByteBuffer file, long directory, int directorySectors, long tables, int tableSectors,
                            long[] grainSector) {
            for (long t = 0; t < tables; t++) {
                long table = directory + directorySectors + t * tableSectors;
                file.putInt((int) (directory * SECTOR + t * 4), (int) table);
                for (int i = 0; i < tableEntries; i++) {
                    long g = t * tableEntries + i;
                    if (g >= grainSector.length) {
                        break;
                    }
                    long entry = zeroedGrains && zeroed.contains(g) ? 1 : grainSector[(int) g];
                    file.putInt((int) (table * SECTOR + i * 4), (int) entry);
                }
            }
        }

        void header(ByteBuffer file, long capacity, long overhead, long gd, long rgd, long descriptorSectors,
                    int compression) {
            int flags = 1 | (redundant ? 2 : 0) | (zeroedGrains ? 4 : 0);
            file.order(ByteOrder.BIG_ENDIAN).putInt(0, VmdkProbe.KDMV).order(ByteOrder.LITTLE_ENDIAN);
            file.putInt(4, version).putInt(8, flags).putLong(12, capacity).putLong(20, grainSectors)
                    .putLong(28, descriptorSectors == 0 ? 0 : 1).putLong(36, descriptorSectors)
                    .putInt(44, tableEntries).putLong(48, redundant ? rgd : 0).putLong(56, gd).putLong(64, overhead);
            file.put(73, (byte) '\n').put(74, (byte) ' ').put(75, (byte) '\r').put(76, (byte) '\n');
            file.putShort(77, (short) compression);
        }
    }

    /**
     * A stream-optimized extent as ovftool, VirtualBox and vmdktool write it: a header whose grain directory is "at
     * the end", compressed grains behind markers, a grain table marker and table after the grains each table maps
     * (or all tables after all grains, for a writer that writes grains out of order), the grain directory marker and
     * directory, the footer marker and footer (the header again, with the directory's offset), the end-of-stream
     * marker. Zero grains are left out.
     */
    static final class Stream {
        int grainSectors = 128;
        String descriptor;
        /** Grain indexes in the order they are written; null for disk order. */
        long[] order;
        /** Where to cut the file, or -1 for a whole stream. */
        long truncateAt = -1;
        /** Whether to leave out the footer and end marker, and the tables, as a writer cut short does. */
        boolean noFooter;
        int level = Deflater.DEFAULT_COMPRESSION;
        /** Whether the grains start at sector 128, as VMware's do, or right after the descriptor. */
        boolean alignedOverhead = true;

        byte[] build(byte[] disk) {
            long capacity = disk.length / SECTOR;
            long grains = (capacity + grainSectors - 1) / grainSectors;
            int tableEntries = 512;
            long tables = (grains + tableEntries - 1) / tableEntries;
            byte[] text = descriptor == null ? new byte[0] : descriptor.getBytes(StandardCharsets.UTF_8);
            long descriptorSectors = descriptor == null ? 0 : Math.max(1, (text.length + SECTOR - 1) / SECTOR);
            long overhead = alignedOverhead ? roundUp(1 + descriptorSectors, 128) : 1 + descriptorSectors;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(new byte[(int) (overhead * SECTOR)]);
            long[] grainSector = new long[(int) grains];
            boolean inOrder = order == null;
            List<Long> sequence = new ArrayList<>();
            if (inOrder) {
                for (long g = 0; g < grains; g++) {
                    sequence.add(g);
                }
            } else {
                for (long g : order) {
                    sequence.add(g);
                }
            }
            long lastTableWritten = -1;
            for (long g : sequence) {
                int from = (int) (g * grainSectors * SECTOR);
                int length = (int) Math.min((long) grainSectors * SECTOR, disk.length - from);
                if (inOrder) {
                    // tables of the grains before this one's table are complete
                    while (!noFooter && lastTableWritten + 1 < g / tableEntries) {
                        lastTableWritten++;
                        table(out, grainSector, lastTableWritten, tableEntries);
                    }
                }
                if (isZero(disk, from, from + length)) {
                    continue;
                }
                byte[] compressed = zlib(disk, from, length, level);
                grainSector[(int) g] = out.size() / SECTOR;
                ByteBuffer marker = le(12);
                marker.putLong(0, g * grainSectors).putInt(8, compressed.length);
                out.writeBytes(marker.array());
                out.writeBytes(compressed);
                pad(out);
            }
            long[] tableSector = new long[(int) tables];
            if (!noFooter) {
                for (long t = inOrder ? lastTableWritten + 1 : 0; t < tables; t++) {
                    table(out, grainSector, t, tableEntries);
                }
                // the tables' sectors were noted as each was written
                tableSector = this.tableSectors;
                long directorySectors = (tables * 4 + SECTOR - 1) / SECTOR;
                out.writeBytes(metadataMarker(directorySectors, 2));
                long gd = out.size() / SECTOR;
                ByteBuffer directory = le(directorySectors * SECTOR);
                for (int t = 0; t < tables; t++) {
                    directory.putInt(t * 4, (int) tableSector[t]);
                }
                out.writeBytes(directory.array());
                out.writeBytes(metadataMarker(1, 3));
                ByteBuffer footer = le(SECTOR);
                header(footer, capacity, overhead, gd, descriptorSectors);
                out.writeBytes(footer.array());
                out.writeBytes(new byte[SECTOR]);
            }
            ByteBuffer file = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            header(file, capacity, overhead, -1, descriptorSectors);
            file.put(SECTOR, text);
            byte[] bytes = file.array();
            return truncateAt < 0 ? bytes : Arrays.copyOf(bytes, (int) truncateAt);
        }

        private long[] tableSectors = new long[0];

        private void table(ByteArrayOutputStream out, long[] grainSector, long t, int tableEntries) {
            if (tableSectors.length <= t) {
                tableSectors = Arrays.copyOf(tableSectors, (int) t + 1);
            }
            out.writeBytes(metadataMarker(tableEntries * 4 / SECTOR, 1));
            tableSectors[(int) t] = out.size() / SECTOR;
            ByteBuffer table = le((long) tableEntries * 4);
            for (int i = 0; i < tableEntries; i++) {
                long g = t * tableEntries + i;
                if (g < grainSector.length) {
                    table.putInt(i * 4, (int) grainSector[(int) g]);
                }
            }
            out.writeBytes(table.array());
        }

        private void header(ByteBuffer file, long capacity, long overhead, long gd, long descriptorSectors) {
            file.order(ByteOrder.BIG_ENDIAN).putInt(0, VmdkProbe.KDMV).order(ByteOrder.LITTLE_ENDIAN);
            file.putInt(4, 3).putInt(8, 1 | (1 << 16) | (1 << 17)).putLong(12, capacity).putLong(20, grainSectors)
                    .putLong(28, descriptorSectors == 0 ? 0 : 1).putLong(36, descriptorSectors).putInt(44, 512)
                    .putLong(48, 0).putLong(56, gd).putLong(64, overhead);
            file.put(73, (byte) '\n').put(74, (byte) ' ').put(75, (byte) '\r').put(76, (byte) '\n');
            file.putShort(77, (short) 1);
        }

        private static byte[] metadataMarker(long sectors, int type) {
            ByteBuffer marker = le(SECTOR);
            marker.putLong(0, sectors).putInt(8, 0).putInt(12, type);
            return marker.array();
        }

        private static void pad(ByteArrayOutputStream out) {
            int rest = out.size() % SECTOR;
            if (rest != 0) {
                out.writeBytes(new byte[SECTOR - rest]);
            }
        }
    }

    /** zlib (RFC 1950) of {@code length} bytes at {@code from}. */
    static byte[] zlib(byte[] data, int from, int length, int level) {
        Deflater deflater = new Deflater(level);
        try {
            deflater.setInput(data, from, length);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[65536];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /**
     * An ESX COWD extent (vmfsSparse redo log): a 2 KiB header, the grain directory at sector 4, tables of 4096
     * entries, then the grains; grains of one sector, as ESX writes them, unless set otherwise.
     */
    static final class Cowd {
        int grainSectors = 1;

        byte[] build(byte[] disk, Set<Long> allocated) {
            long capacity = disk.length / SECTOR;
            long grains = (capacity + grainSectors - 1) / grainSectors;
            long tables = (grains + 4095) / 4096;
            long directory = 4;
            long directorySectors = (tables * 4 + SECTOR - 1) / SECTOR;
            long firstTable = directory + directorySectors;
            long next = firstTable + tables * 32;
            long[] grainSector = new long[(int) grains];
            for (long g = 0; g < grains; g++) {
                if (allocated.contains(g)) {
                    grainSector[(int) g] = next;
                    next += grainSectors;
                }
            }
            ByteBuffer file = le(next * SECTOR);
            file.order(ByteOrder.BIG_ENDIAN).putInt(0, VmdkProbe.COWD).order(ByteOrder.LITTLE_ENDIAN);
            file.putInt(4, 1).putInt(8, 3).putInt(12, (int) capacity).putInt(16, grainSectors)
                    .putInt(20, (int) directory).putInt(24, (int) tables).putInt(28, (int) next);
            for (long t = 0; t < tables; t++) {
                long table = firstTable + t * 32;
                file.putInt((int) (directory * SECTOR + t * 4), (int) table);
                for (int i = 0; i < 4096 && t * 4096 + i < grains; i++) {
                    file.putInt((int) (table * SECTOR + i * 4), (int) grainSector[(int) (t * 4096 + i)]);
                }
            }
            for (long g = 0; g < grains; g++) {
                if (grainSector[(int) g] != 0) {
                    int from = (int) (g * grainSectors * SECTOR);
                    file.put((int) (grainSector[(int) g] * SECTOR), disk, from,
                            Math.min(grainSectors * SECTOR, disk.length - from));
                }
            }
            return file.array();
        }
    }

    /** What a seSparse grain holds. */
    enum SeGrain { UNALLOCATED, ALLOCATED, ZERO, UNMAPPED }

    /**
     * An ESX seSparse extent as QEMU reads it: the constant header, the volatile header, the grain directory, the
     * grain tables (4096 entries of 8 bytes), then the grains (4 KiB), in the order {@code grainOrder} gives.
     */
    static final class SeSparse {
        byte[] build(byte[] disk, SeGrain[] kinds, long seed) {
            long capacity = disk.length / SECTOR;
            int grains = (int) ((capacity + 7) / 8);
            int tables = (grains + 4095) / 4096;
            long directory = 8;
            long directorySectors = Math.max(1, (tables * 8L + SECTOR - 1) / SECTOR);
            long tablesStart = directory + directorySectors + 8;
            long grainsStart = tablesStart + tables * 64L + 8;
            List<Integer> allocated = new ArrayList<>();
            for (int g = 0; g < grains; g++) {
                if (kinds[g] == SeGrain.ALLOCATED) {
                    allocated.add(g);
                }
            }
            // clusters handed out in an order of their own: the entries map grains to clusters
            Collections.shuffle(allocated, new Random(seed));
            long[] cluster = new long[grains];
            Arrays.fill(cluster, -1);
            for (int i = 0; i < allocated.size(); i++) {
                cluster[allocated.get(i)] = i;
            }
            long end = grainsStart + allocated.size() * 8L;
            ByteBuffer file = le(end * SECTOR);
            file.putLong(0, 0xcafebabeL).putLong(8, 0x0000000200000001L).putLong(16, capacity).putLong(24, 8)
                    .putLong(32, 64).putLong(80, 1).putLong(88, 1).putLong(96, 2).putLong(104, 1).putLong(112, 3)
                    .putLong(120, 4).putLong(128, directory).putLong(136, directorySectors)
                    .putLong(144, tablesStart).putLong(152, tables * 64L).putLong(160, 0).putLong(168, 0)
                    .putLong(176, 0).putLong(184, 0).putLong(192, grainsStart).putLong(200, allocated.size() * 8L);
            file.putLong(SECTOR, 0xcafecafeL).putLong(SECTOR + 8, tables).putLong(SECTOR + 16, 1);
            // tables are numbered in reverse, so a directory entry's index is not its position
            for (int t = 0; t < tables; t++) {
                int number = tables - 1 - t;
                file.putLong((int) (directory * SECTOR + t * 8L), 0x1000000000000000L | number);
                long table = (tablesStart + number * 64L) * SECTOR;
                for (int i = 0; i < 4096; i++) {
                    int g = t * 4096 + i;
                    if (g >= grains) {
                        break;
                    }
                    long entry = switch (kinds[g]) {
                        case UNALLOCATED -> 0;
                        case ZERO -> 0x2000000000000000L;
                        case UNMAPPED -> 0x1000000000000000L;
                        case ALLOCATED -> 0x3000000000000000L | ((cluster[g] & 0xfff) << 48) | (cluster[g] >>> 12);
                    };
                    file.putLong((int) (table + i * 8L), entry);
                }
            }
            for (int g = 0; g < grains; g++) {
                if (cluster[g] >= 0) {
                    int from = g * 4096;
                    file.put((int) ((grainsStart + cluster[g] * 8) * SECTOR), disk, from,
                            Math.min(4096, disk.length - from));
                }
            }
            return file.array();
        }
    }

    /** Where the marker of grain {@code grain} starts in a stream that {@link Stream} built. */
    static int markerOffset(byte[] stream, long grain, int grainSectors) {
        ByteBuffer b = ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 128 * SECTOR; at + 16 <= stream.length; at += SECTOR) {
            if (b.getInt(at + 8) != 0 && b.getLong(at) == grain * grainSectors) {
                return at;
            }
        }
        throw new AssertionError("no marker for grain " + grain);
    }

    static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    static ByteBuffer le(long bytes) {
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
