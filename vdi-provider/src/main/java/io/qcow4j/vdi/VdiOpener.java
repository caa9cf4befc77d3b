package io.qcow4j.vdi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
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
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.vhd.shared.MappedImage;
import io.qcow4j.vhd.shared.Storage;

/** Opens a VDI: its header, its block map (each entry checked against the file), and a differencing image's parent. */
final class VdiOpener {

    /** VirtualBox writes 1 MiB blocks; the format allows other powers of two. */
    private static final long MIN_BLOCK = 512;
    private static final long MAX_BLOCK = 1L << 30;
    private static final long MAX_BLOCKS = Integer.MAX_VALUE / 4;

    private VdiOpener() {
    }

    static Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        return HostFile.openFor(path, file -> open(file, options, context));
    }

    private static Image open(HostFile file, OpenOptions options, OpenContext context) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(VdiHeader.READ_LENGTH, file.size()));
        file.readFully(bytes, 0, "VDI header");
        VdiHeader header = VdiHeader.parse(bytes.flip());
        if (header.type() < VdiHeader.TYPE_DYNAMIC || header.type() > VdiHeader.TYPE_DIFFERENCING) {
            throw new UnsupportedFeatureException("VDI header: image type " + header.type()
                    + " is not dynamic (1), static (2), undo (3) or differencing (4)");
        }
        long blockSize = header.blockSize();
        if (blockSize < MIN_BLOCK || blockSize > MAX_BLOCK || Long.bitCount(blockSize) != 1) {
            throw new CorruptImageException("VDI header: block size " + blockSize
                    + " is not a power of two from 512 to 1 GiB");
        }
        if (header.blockExtra() > MAX_BLOCK) {
            throw new CorruptImageException("VDI header: extra block data of " + header.blockExtra()
                    + " bytes is more than 1 GiB");
        }
        if (header.diskSize() < 0 || Long.compareUnsigned(header.diskSize(), header.blocks() * blockSize) > 0) {
            throw new CorruptImageException("VDI header: the disk of " + Long.toUnsignedString(header.diskSize())
                    + " bytes is larger than its " + header.blocks() + " blocks of " + blockSize + " bytes");
        }
        if (header.blocks() > MAX_BLOCKS) {
            throw new ImageLimitException("VDI header: " + header.blocks() + " blocks are more than the "
                    + MAX_BLOCKS + " this reader holds");
        }
        // as qemu-img, the disk is whole sectors, the last one whole ('VBoxManage convertfromraw' writes the raw
        // file's size; VirtualBox rounds it down instead); still inside the blocks, whose size is a multiple of 512
        long size = (header.diskSize() + 511) & -512L;
        int[] entries = readBlockMap(file, header, context);
        long mapEnd = header.blocksOffset() + 4 * header.blocks();
        if (header.dataOffset() < mapEnd) {
            throw new CorruptImageException("VDI header: the data at offset " + header.dataOffset()
                    + " starts inside the block map, which ends at " + mapEnd);
        }
        VdiBlockMap map = new VdiBlockMap(entries, blockSize, header.dataOffset(), header.blockExtra(),
                header.differencing());
        VdiParent parent = header.differencing() ? VdiParent.open(file.path(), header, options, context) : null;
        Image parentImage = parent == null ? null : parent.image();
        FileReference reference = parent == null ? null : parent.reference();
        // QEMU asks a static image's file for its holes, and reports them as zeros
        Storage storage = header.type() == VdiHeader.TYPE_STATIC ? Storage.withFileHoles(file) : Storage.of(file);
        return new MappedImage(VdiFormatProvider.NAME, storage, size, map, parentImage,
                () -> new ImageInfo(VdiFormatProvider.NAME, file.path(), size,
                        FileAllocation.allocatedBytes(file.path()), (int) blockSize, false,
                        reference == null ? null : reference.name(), reference == null ? null : reference.path(),
                        null, List.of(), Map.of()), file);
    }

    private static int[] readBlockMap(HostFile file, VdiHeader header, OpenContext context) throws IOException {
        int count = (int) header.blocks();
        long at = header.blocksOffset();
        if (at > file.size() || 4L * count > file.size() - at) {
            throw new CorruptImageException("VDI block map at offset " + at + " (" + 4L * count
                    + " bytes) passes the end of the " + file.size() + "-byte file");
        }
        context.charge(file.path(), "VDI block map", 4L * count);
        ByteBuffer bytes = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
        file.readFully(bytes, at, "VDI block map");
        bytes.flip();
        int[] entries = new int[count];
        long stride = header.blockSize() + header.blockExtra();
        for (int i = 0; i < count; i++) {
            int entry = bytes.getInt();
            if (VdiBlockMap.allocated(entry)) {
                long index = entry & 0xffffffffL;
                if (index >= count) {
                    throw new CorruptImageException("VDI block map entry " + i + ": block " + index
                            + " is past the image's " + count + " blocks");
                }
                long end = header.dataOffset() + (index + 1) * stride;
                if (end > file.size()) {
                    throw new CorruptImageException("VDI block map entry " + i + ": block " + index + " ends at "
                            + end + ", past the end of the " + file.size() + "-byte file (truncated image?)");
                }
            }
            entries[i] = entry;
        }
        return entries;
    }
}
