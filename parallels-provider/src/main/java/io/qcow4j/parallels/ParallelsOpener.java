package io.qcow4j.parallels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;
import io.qcow4j.ImageLimitException;
import io.qcow4j.nativeaccess.FileAllocation;
import io.qcow4j.spi.Closeables;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.vhd.shared.MappedImage;
import io.qcow4j.vhd.shared.Storage;

/**
 * Opens a Parallels expanding disk (its header and block allocation table, read whole and charged to the chain), or
 * a bundle's {@code DiskDescriptor.xml} and the images it names.
 */
final class ParallelsOpener {

    private ParallelsOpener() {
    }

    static Image open(Path path, OpenContext context) throws IOException {
        HostFile file = HostFile.open(path);
        try {
            ByteBuffer start = ByteBuffer.allocate(512);
            file.readAvailable(start, 0);
            if (DiskDescriptor.recognizes(start.array(), start.position())) {
                try (file) {
                    return BundleOpener.open(path, DiskDescriptor.parse(descriptorText(file)), context);
                }
            }
            return expanding(file, -1, null, context);
        } catch (IOException | RuntimeException | Error e) {
            Closeables.closeQuietly(e, file);
            throw e;
        }
    }

    private static byte[] descriptorText(HostFile file) throws IOException {
        if (file.size() > DiskDescriptor.MAX_BYTES) {
            throw new ImageLimitException("DiskDescriptor.xml is " + file.size() + " bytes, more than the "
                    + DiskDescriptor.MAX_BYTES + " a descriptor may take");
        }
        ByteBuffer text = ByteBuffer.allocate((int) file.size());
        file.readFully(text, 0, "DiskDescriptor.xml");
        return text.array();
    }

    /**
     * The expanding disk in {@code file}, which the image owns from here on.
     *
     * @param size   the disk's size in bytes, or -1 for the size its header gives
     * @param parent where clusters it does not hold are read from, or null for zeros
     */
    static MappedImage expanding(HostFile file, long size, Image parent, OpenContext context) throws IOException {
        if (file.size() < ParallelsHeader.SIZE) {
            throw new CorruptImageException("the file is too small (" + file.size()
                    + " bytes) to hold a Parallels header");
        }
        ByteBuffer bytes = ByteBuffer.allocate(ParallelsHeader.SIZE);
        file.readFully(bytes, 0, "Parallels header");
        ParallelsHeader header = ParallelsHeader.parse(bytes.flip());
        int[] entries = readBat(file, header, context);
        long diskSize = size >= 0 ? size : header.sectors() * 512;
        ParallelsBat bat = new ParallelsBat(entries, header.clusterBytes(), header.entryUnitBytes(), file.size());
        // QEMU hands block status of stored clusters down to the file: a hole in one reads, and maps, as zeros
        return new MappedImage(ParallelsFormatProvider.NAME, Storage.withFileHoles(file), diskSize, bat, parent,
                () -> info(ParallelsFormatProvider.NAME, file.path(), diskSize, parent), file);
    }

    /** qemu-img's info for a Parallels disk: no cluster size nor dirty flag (its driver answers no get_info). */
    static ImageInfo info(String format, Path file, long size, Image parent) throws IOException {
        Path parentFile = parent == null ? null : parent.files().get(0);
        return new ImageInfo(format, file, size, FileAllocation.allocatedBytes(file), 0, false,
                parentFile == null ? null : parentFile.getFileName().toString(), parentFile,
                parent == null ? null : parent.format(), List.of(), Map.of());
    }

    private static int[] readBat(HostFile file, ParallelsHeader header, OpenContext context) throws IOException {
        int count = (int) header.batEntries();
        long bytes = 4L * count;
        if (bytes > file.size() - ParallelsHeader.SIZE) {
            throw new CorruptImageException("the Parallels block allocation table of " + count + " entries ("
                    + bytes + " bytes) passes the end of the " + file.size() + "-byte file");
        }
        context.charge(file.path(), "Parallels block allocation table", bytes);
        ByteBuffer table = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        file.readFully(table, ParallelsHeader.SIZE, "Parallels block allocation table");
        table.flip();
        int[] entries = new int[count];
        table.asIntBuffer().get(entries);
        return entries;
    }
}
