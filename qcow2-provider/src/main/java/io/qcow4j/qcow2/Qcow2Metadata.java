package io.qcow4j.qcow2;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qcow4j.ImageInfo;
import io.qcow4j.SnapshotInfo;
import io.qcow4j.nativeaccess.FileAllocation;

/**
 * What an image's header, extensions and tables say about it, other than the mapping itself.
 *
 * @param backingName   the backing file name as stored, or null
 * @param backingPath   that name resolved against the image's directory, or null
 * @param backingFormat the declared backing format, or null
 */
record Qcow2Metadata(Path path, Qcow2Header header, HeaderExtensions extensions, Geometry geometry,
                     List<SnapshotTable.Snapshot> snapshots, List<BitmapDirectory.Bitmap> bitmaps,
                     String backingName, Path backingPath, String backingFormat) {

    ImageInfo info(long virtualSize) throws IOException {
        List<SnapshotInfo> snapshotInfos = snapshots.stream().map(SnapshotTable.Snapshot::info).toList();
        return new ImageInfo(Qcow2FormatProvider.NAME, path, virtualSize, FileAllocation.allocatedBytes(path),
                header.clusterSize(), header.dirty(), backingName, backingPath, backingFormat, snapshotInfos,
                formatSpecific());
    }

    /** {@code qemu-img info}'s "format-specific" data for qcow2, in its order. */
    private Map<String, Object> formatSpecific() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("compat", header.version() >= 3 ? "1.1" : "0.10");
        data.put("compression-type", header.compressionType().qemuName());
        if (header.version() >= 3) {
            data.put("lazy-refcounts", header.lazyRefcounts());
            if (!bitmaps.isEmpty()) {
                List<Object> list = new ArrayList<>();
                for (BitmapDirectory.Bitmap bitmap : bitmaps) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("flags", bitmap.flagNames());
                    entry.put("name", bitmap.name());
                    entry.put("granularity", bitmap.granularity());
                    list.add(entry);
                }
                data.put("bitmaps", list);
            }
        }
        data.put("refcount-bits", 1 << header.refcountOrder());
        if (header.version() >= 3) {
            if (extensions.dataFile() != null) {
                data.put("data-file", extensions.dataFile());
                data.put("data-file-raw", header.dataFileRaw());
            }
            data.put("corrupt", header.corrupt());
            data.put("extended-l2", header.extendedL2());
        }
        return data;
    }
}
