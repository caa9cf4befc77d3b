package io.qcow4j.vhd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qcow4j.CorruptImageException;
import io.qcow4j.FileReference;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;
import io.qcow4j.ImageLimitException;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.nativeaccess.FileAllocation;
import io.qcow4j.spi.Closeables;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.FileNames;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.vhd.shared.Extent;
import io.qcow4j.vhd.shared.ExtentMap;
import io.qcow4j.vhd.shared.MappedImage;
import io.qcow4j.vhd.shared.ParentFile;
import io.qcow4j.vhd.shared.Storage;

/**
 * Opens a VHD: finds its footer, reads the dynamic header and the block table, and opens a parent through the chain.
 */
final class VhdOpener {

    /** The widest block a header may declare: the largest power of two of its 32-bit field. */
    private static final long MAX_BLOCK_SIZE = 1L << 31;

    private VhdOpener() {
    }

    static Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        return HostFile.openFor(path, file -> open(file, options, context));
    }

    private static Image open(HostFile file, OpenOptions options, OpenContext context) throws IOException {
        Located located = locateFooter(file);
        // QEMU hands a fixed disk's block status down to its file, whose holes it then reports as zeros
        Storage storage = located.fixed() ? Storage.withFileHoles(file) : Storage.of(file);
        VhdFooter footer = located.footer();
        long sectors = footer.virtualSectors();
        if (Long.compareUnsigned(sectors, VhdFooter.MAX_SECTORS) > 0) {
            throw new ImageLimitException("VHD footer: a disk of " + Long.toUnsignedString(sectors)
                    + " sectors is larger than the VHD maximum of 2040 GiB");
        }
        long size = sectors * 512;
        Map<String, Object> specific = new LinkedHashMap<>();
        if (size != footer.currentSize()) {
            // qemu-img sizes the disk by its geometry for this creator; the footer's own size is shown beside it
            specific.put("footer-current-size", footer.currentSize());
        }
        if (located.fixed()) {
            long dataEnd = file.size() - located.footerLength();
            if (size > dataEnd) {
                throw new CorruptImageException("VHD footer: the fixed disk of " + size + " bytes needs more than the "
                        + dataEnd + " bytes before the footer (truncated file?)");
            }
            ExtentMap map = (offset, maxLength) -> Extent.data(maxLength, offset);
            return new MappedImage(VhdFormatProvider.NAME, storage, size, map, null,
                    () -> info(file, size, 0, null, specific), file);
        }
        DynamicHeader header = readHeader(file, footer);
        long blockSize = header.blockSize() & 0xffffffffL;
        if (blockSize < 512 || blockSize > MAX_BLOCK_SIZE || Long.bitCount(blockSize) != 1) {
            throw new CorruptImageException("VHD dynamic disk header: block size " + blockSize
                    + " is not a power of two from 512 to 2 GiB");
        }
        int[] entries = readTable(file, footer.dataOffset(), header, blockSize, size, context);
        boolean differencing = footer.diskType() == VhdFooter.DIFFERENCING;
        ParentFile parent = differencing ? openParent(file, header, options, context) : null;
        try {
            BlockAllocationTable table = new BlockAllocationTable(storage, entries, blockSize, differencing);
            return new MappedImage(VhdFormatProvider.NAME, storage, size, table,
                    parent == null ? null : parent.image(),
                    () -> info(file, size, (int) Math.min(blockSize, Integer.MAX_VALUE), parent, specific), file);
        } catch (RuntimeException e) {
            Closeables.closeQuietly(e, parent == null ? null : parent.image());
            throw e;
        }
    }

    private record Located(VhdFooter footer, boolean fixed, int footerLength) {
    }

    /**
     * The copy at offset 0 of a dynamic or differencing disk, as qemu-img reads it, else the footer at the end of a
     * fixed disk (512 bytes, or the 511 that Virtual PC before 2004 wrote).
     */
    private static Located locateFooter(HostFile file) throws IOException {
        if (file.size() >= VhdFooter.SIZE) {
            ByteBuffer start = ByteBuffer.allocate(VhdFooter.SIZE);
            file.readFully(start, 0, "VHD footer copy");
            start.flip();
            if (VhdFooter.hasCookie(start)) {
                VhdFooter footer = VhdFooter.parse(start, "footer at offset 0");
                if (footer.diskType() == VhdFooter.DYNAMIC || footer.diskType() == VhdFooter.DIFFERENCING) {
                    return new Located(footer, false, VhdFooter.SIZE);
                }
                if (footer.diskType() != VhdFooter.FIXED) {
                    throw new UnsupportedFeatureException("VHD footer at offset 0: disk type " + footer.diskType()
                            + " is not fixed (2), dynamic (3) or differencing (4)");
                }
            }
        }
        for (int length : new int[] {VhdFooter.SIZE, VhdFooter.SIZE - 1}) {
            if (file.size() < length) {
                continue;
            }
            ByteBuffer end = ByteBuffer.allocate(length);
            file.readFully(end, file.size() - length, "VHD footer");
            end.flip();
            if (VhdFooter.hasCookie(end)) {
                VhdFooter footer = VhdFooter.parse(end, "footer at offset " + (file.size() - length));
                if (footer.diskType() != VhdFooter.FIXED) {
                    throw new CorruptImageException("VHD footer at the end of the file: a " + footer.typeName()
                            + " disk without the footer copy at offset 0");
                }
                return new Located(footer, true, length);
            }
        }
        throw new CorruptImageException("not a VHD: no \"conectix\" footer at the start or the end of the "
                + file.size() + "-byte file");
    }

    private static DynamicHeader readHeader(HostFile file, VhdFooter footer) throws IOException {
        long at = footer.dataOffset();
        if (at < VhdFooter.SIZE - 1 || at > file.size() - DynamicHeader.SIZE) {
            throw new CorruptImageException("VHD footer: data offset " + Long.toUnsignedString(at)
                    + " leaves no room for the 1024-byte dynamic disk header in the " + file.size() + "-byte file");
        }
        ByteBuffer bytes = ByteBuffer.allocate(DynamicHeader.SIZE);
        file.readFully(bytes, at, "VHD dynamic disk header");
        return DynamicHeader.parse(bytes.flip(), at);
    }

    /**
     * The table entries that cover the disk, each checked to lie inside the file and off the metadata before the
     * blocks (the footer copy, the dynamic disk header at {@code headerAt}, the table), which no writer puts a block
     * on: a table that does would read the metadata as the disk's data.
     */
    private static int[] readTable(HostFile file, long headerAt, DynamicHeader header, long blockSize, long size,
                                   OpenContext context) throws IOException {
        long needed = (size + blockSize - 1) / blockSize;
        long declared = header.maxTableEntries() & 0xffffffffL;
        if (declared < needed) {
            throw new CorruptImageException("VHD dynamic disk header: max table entries " + declared + " of "
                    + blockSize + "-byte blocks cover less than the " + size + "-byte disk");
        }
        if (needed > Integer.MAX_VALUE / 4) {
            throw new ImageLimitException("VHD block allocation table: " + needed + " entries are more than the "
                    + Integer.MAX_VALUE / 4 + " this reader holds");
        }
        int count = (int) needed;
        long tableAt = header.tableOffset();
        if (tableAt < 0 || tableAt > file.size() || 4L * count > file.size() - tableAt) {
            throw new CorruptImageException("VHD block allocation table at offset " + Long.toUnsignedString(tableAt)
                    + " (" + 4L * count + " bytes) passes the end of the " + file.size() + "-byte file");
        }
        context.charge(file.path(), "VHD block allocation table", 5L * count);
        ByteBuffer bytes = ByteBuffer.allocate(4 * count);
        file.readFully(bytes, tableAt, "VHD block allocation table");
        bytes.flip();
        int[] entries = new int[count];
        long blockBytes = BlockAllocationTable.bitmapSize(blockSize) + blockSize;
        for (int i = 0; i < count; i++) {
            int entry = bytes.getInt();
            if (entry != BlockAllocationTable.UNUSED) {
                long at = (entry & 0xffffffffL) * 512;
                if (at > file.size() - blockBytes) {
                    throw new CorruptImageException("VHD block allocation table entry " + i + ": block at offset "
                            + at + " (" + blockBytes + " bytes with its bitmap) passes the end of the "
                            + file.size() + "-byte file (truncated image?)");
                }
                String overlapped = metadataUnder(at, blockBytes, headerAt, tableAt, 4L * count);
                if (overlapped != null) {
                    throw new CorruptImageException("VHD block allocation table entry " + i + ": block at offset "
                            + at + " (" + blockBytes + " bytes with its bitmap) overlaps " + overlapped);
                }
            }
            entries[i] = entry;
        }
        return entries;
    }

    /** The metadata that the {@code length} bytes at {@code at} overlap, or null. */
    private static String metadataUnder(long at, long length, long headerAt, long tableAt, long tableLength) {
        if (at < VhdFooter.SIZE) {
            return "the footer copy at offset 0";
        }
        if (at < headerAt + DynamicHeader.SIZE && headerAt < at + length) {
            return "the dynamic disk header at offset " + headerAt;
        }
        if (at < tableAt + tableLength && tableAt < at + length) {
            return "the block allocation table at offset " + tableAt;
        }
        return null;
    }

    private static ParentFile openParent(HostFile file, DynamicHeader header, OpenOptions options,
                                         OpenContext context) throws IOException {
        List<String> names = new ArrayList<>();
        // the relative names first: a chain copied elsewhere keeps them right
        for (int code : new int[] {ParentLocator.W2RU, ParentLocator.WI2R, ParentLocator.W2KU, ParentLocator.WI2K,
                ParentLocator.MACX}) {
            for (ParentLocator locator : header.locators()) {
                if (locator.code() == code) {
                    names.addAll(FileNames.windowsNames(locatorName(file, locator)));
                }
            }
        }
        names.addAll(FileNames.windowsNames(header.parentName()));
        byte[] uuid = header.parentUuid();
        return ParentFile.open(file.path(), names, null, (candidate, ctx) -> parentMismatch(candidate, ctx, uuid),
                options, context);
    }

    /** The name a locator stores: UTF-16LE for Windows' codes, a UTF-8 file URL for MacX, bytes for Wi2r/Wi2k. */
    private static String locatorName(HostFile file, ParentLocator locator) throws IOException {
        if (locator.length() < 0 || locator.length() > ParentLocator.MAX_LENGTH) {
            throw new CorruptImageException("VHD parent locator " + locator.codeName() + ": length "
                    + Integer.toUnsignedString(locator.length()) + " is not within 0.." + ParentLocator.MAX_LENGTH);
        }
        ByteBuffer bytes = ByteBuffer.allocate(locator.length());
        file.readFully(bytes, locator.offset(), "VHD parent locator " + locator.codeName());
        byte[] raw = bytes.array();
        return switch (locator.code()) {
            case ParentLocator.W2RU, ParentLocator.W2KU -> DynamicHeader.utf16(raw, StandardCharsets.UTF_16LE);
            case ParentLocator.MACX -> macPath(new String(raw, StandardCharsets.UTF_8));
            default -> new String(raw, StandardCharsets.ISO_8859_1).replace("\0", "");
        };
    }

    /**
     * The path a MacX locator's file URL names: "file://localhost/Users/me/parent.vhd" (macOS) and
     * "file:///srv/parent.vhd" an absolute one; "file://./parent.vhd", as XenServer's blktap writes it ("file://" and
     * the path relative to the child, not a host), a relative one. Percent escapes are decoded where they are well
     * formed: blktap writes a name's own '%' as it is.
     */
    private static String macPath(String url) {
        String path = url.replace("\0", "");
        if (path.startsWith("file://")) {
            path = path.substring("file://".length());
            if (path.startsWith("localhost/")) {
                path = path.substring("localhost".length());
            }
        }
        try {
            return java.net.URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return path;
        }
    }

    /**
     * A parent that is a VHD must carry the UUID the child was made from. Its footer is found as for the child (a
     * fixed parent's may be the 511 bytes of old Virtual PC); a file that is no VHD is left for its opening to refuse.
     */
    private static String parentMismatch(FileReference candidate, OpenContext context, byte[] uuid)
            throws IOException {
        byte[] found;
        try (HostFile parent = context.openFile(candidate)) {
            try {
                found = locateFooter(parent).footer().uniqueId();
            } catch (CorruptImageException | UnsupportedFeatureException e) {
                return null;
            }
        }
        return java.util.Arrays.equals(found, uuid) ? null
                : "its UUID " + uuidText(found) + " is not the parent UUID " + uuidText(uuid);
    }

    static String uuidText(byte[] uuid) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                text.append('-');
            }
            text.append(String.format("%02x", uuid[i] & 0xff));
        }
        return text.toString();
    }

    private static ImageInfo info(HostFile file, long size, int clusterSize, ParentFile parent,
                                  Map<String, Object> specific) throws IOException {
        FileReference reference = parent == null ? null : parent.reference();
        return new ImageInfo(VhdFormatProvider.NAME, file.path(), size, FileAllocation.allocatedBytes(file.path()),
                clusterSize, false, reference == null ? null : reference.name(),
                reference == null ? null : reference.path(), null, List.of(), specific);
    }
}
