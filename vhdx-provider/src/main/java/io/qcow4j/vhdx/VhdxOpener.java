package io.qcow4j.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.qcow4j.CorruptImageException;
import io.qcow4j.FileReference;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;
import io.qcow4j.ImageLimitException;
import io.qcow4j.OpenOptions;
import io.qcow4j.nativeaccess.FileAllocation;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.FileNames;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.vhd.shared.MappedImage;
import io.qcow4j.vhd.shared.ParentFile;
import io.qcow4j.vhd.shared.Storage;

/**
 * Opens a VHDX: the current header, its log replayed in memory where it must be, the region table, the metadata, the
 * BAT (each entry checked against the file) and, for a differencing disk, the parent through the chain.
 */
final class VhdxOpener {

    static final byte[] SIGNATURE = "vhdxfile".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_ENTRIES = Integer.MAX_VALUE / 8;

    private VhdxOpener() {
    }

    static Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        return HostFile.openFor(path, file -> open(file, options, context));
    }

    private static Image open(HostFile hostFile, OpenOptions options, OpenContext context) throws IOException {
        Storage raw = Storage.of(hostFile);
        checkSignature(raw);
        VhdxHeader header = VhdxHeader.current(raw);
        Storage file = VhdxLog.replay(raw, header, context);
        RegionTable regions = RegionTable.read(file);
        VhdxMetadata metadata = VhdxMetadata.read(file, regions.metadata());
        long[] entries = readBat(file, regions.bat(), metadata, context);
        PayloadMap map = new PayloadMap(file, entries, metadata);
        ParentFile parent = metadata.hasParent() ? openParent(hostFile.path(), metadata, options, context) : null;
        FileReference reference = parent == null ? null : parent.reference();
        long size = metadata.virtualSize();
        return new MappedImage(VhdxFormatProvider.NAME, file, size, map, parent == null ? null : parent.image(),
                () -> new ImageInfo(VhdxFormatProvider.NAME, hostFile.path(), size,
                        FileAllocation.allocatedBytes(hostFile.path()), (int) metadata.blockSize(), false, reference == null ? null : reference.name(),
                        reference == null ? null : reference.path(), null, List.of(), Map.of()), hostFile);
    }

    private static void checkSignature(Storage file) throws IOException {
        ByteBuffer start = ByteBuffer.allocate(SIGNATURE.length);
        if (file.size() < SIGNATURE.length) {
            throw new CorruptImageException("not a VHDX: the file has " + file.size() + " bytes");
        }
        file.readFully(start, 0, "VHDX file type identifier");
        if (!start.flip().equals(ByteBuffer.wrap(SIGNATURE))) {
            throw new CorruptImageException("not a VHDX: no \"vhdxfile\" signature at offset 0");
        }
    }

    private static long[] readBat(Storage file, RegionTable.Region region, VhdxMetadata metadata,
                                  OpenContext context) throws IOException {
        long blockSize = metadata.blockSize();
        long chunkRatio = metadata.chunkRatio();
        long payloadBlocks = (metadata.virtualSize() + blockSize - 1) / blockSize;
        long bitmapBlocks = (payloadBlocks + chunkRatio - 1) / chunkRatio;
        long count = metadata.hasParent() ? bitmapBlocks * (chunkRatio + 1)
                : payloadBlocks == 0 ? 0 : payloadBlocks + (payloadBlocks - 1) / chunkRatio;
        if (count > MAX_ENTRIES) {
            throw new ImageLimitException("VHDX BAT: " + count + " entries are more than the " + MAX_ENTRIES
                    + " this reader holds");
        }
        if (count * 8 > region.length()) {
            throw new CorruptImageException("VHDX BAT region of " + region.length() + " bytes is smaller than the "
                    + count * 8 + " bytes of " + count + " entries the disk needs");
        }
        context.charge(file.path(), "VHDX BAT", count * 8);
        ByteBuffer bytes = ByteBuffer.allocate((int) count * 8).order(ByteOrder.LITTLE_ENDIAN);
        file.readFully(bytes, region.offset(), "VHDX BAT");
        bytes.flip();
        long[] entries = new long[(int) count];
        for (int i = 0; i < count; i++) {
            long entry = bytes.getLong();
            entries[i] = entry;
            int state = PayloadMap.state(entry);
            boolean bitmap = (i + 1) % (chunkRatio + 1) == 0;
            // a fixed disk's file ends with the disk, inside its last block
            long block = i - i / (chunkRatio + 1);
            long needed = bitmap ? 1 << 20 : Math.min(blockSize, metadata.virtualSize() - block * blockSize);
            // only a differencing disk reads its sector bitmaps: elsewhere their entries are unused (QEMU does not
            // check them either)
            if (!bitmap && (state == PayloadMap.FULLY_PRESENT || state == PayloadMap.PARTIALLY_PRESENT)
                    || bitmap && metadata.hasParent() && state == PayloadMap.SECTOR_BITMAP_PRESENT) {
                long at = PayloadMap.fileOffset(entry);
                if (at < (1 << 20) || at > file.size() - needed) {
                    throw new CorruptImageException("VHDX BAT entry " + i + ": the " + (bitmap ? "sector bitmap"
                            : "payload") + " block at offset " + at + " (" + needed + " bytes) is not inside the "
                            + file.size() + "-byte file past its first MiB (truncated image?)");
                }
            }
        }
        return entries;
    }

    private static ParentFile openParent(Path path, VhdxMetadata metadata, OpenOptions options,
                                         OpenContext context) throws IOException {
        Map<String, String> locator = metadata.parentLocator();
        List<String> names = new ArrayList<>();
        for (String key : List.of("relative_path", "absolute_win32_path", "volume_path")) {
            names.addAll(FileNames.windowsNames(locator.get(key)));
        }
        List<Guid> linkage = new ArrayList<>();
        for (String key : List.of("parent_linkage", "parent_linkage2")) {
            String value = locator.get(key);
            Guid guid = value == null ? null : Guid.parse(value);
            if (guid != null) {
                linkage.add(guid);
            }
        }
        if (linkage.isEmpty()) {
            throw new CorruptImageException("VHDX parent locator: no parent_linkage GUID (keys " + locator.keySet()
                    + ")");
        }
        return ParentFile.open(path, names, VhdxFormatProvider.NAME,
                (candidate, ctx) -> mismatch(candidate, ctx, linkage), options, context);
    }

    /** The parent is the VHDX whose data write GUID the child was linked to. */
    private static String mismatch(FileReference candidate, OpenContext context, List<Guid> linkage)
            throws IOException {
        try (HostFile parent = context.openFile(candidate)) {
            Guid found;
            try {
                found = VhdxHeader.current(Storage.of(parent)).dataWriteGuid();
            } catch (CorruptImageException e) {
                return "not a VHDX: " + e.getMessage();
            }
            return linkage.contains(found) ? null
                    : "its data write GUID " + found + " is not the parent linkage " + linkage.get(0);
        }
    }
}
