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
import io.qcow4j.nativeaccess.FileAllocation;
import io.qcow4j.spi.Closeables;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.vhd.shared.MappedImage;
import io.qcow4j.vhd.shared.Storage;

/** Opens a Parallels expanding disk: its header and block allocation table, read whole (charged to the chain). */
final class ParallelsOpener {

    private ParallelsOpener() {
    }

    static Image open(Path path, OpenContext context) throws IOException {
        HostFile file = HostFile.open(path);
        try {
            return open(file, context);
        } catch (IOException | RuntimeException | Error e) {
            Closeables.closeQuietly(e, file);
            throw e;
        }
    }

    private static Image open(HostFile file, OpenContext context) throws IOException {
        if (file.size() < ParallelsHeader.SIZE) {
            throw new CorruptImageException("the file is too small (" + file.size()
                    + " bytes) to hold a Parallels header");
        }
        ByteBuffer bytes = ByteBuffer.allocate(ParallelsHeader.SIZE);
        file.readFully(bytes, 0, "Parallels header");
        ParallelsHeader header = ParallelsHeader.parse(bytes.flip());
        int[] entries = readBat(file, header, context);
        long size = header.sectors() * 512;
        ParallelsBat bat = new ParallelsBat(entries, header.clusterBytes(), header.entryUnitBytes());
        // QEMU hands block status of stored clusters down to the file: a hole in one reads, and maps, as zeros
        return new MappedImage(ParallelsFormatProvider.NAME, Storage.withFileHoles(file), size, bat, null,
                () -> new ImageInfo(ParallelsFormatProvider.NAME, file.path(), size,
                        FileAllocation.allocatedBytes(file.path()), 0, false,
                        null, null, null, List.of(), Map.of()), file);
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
