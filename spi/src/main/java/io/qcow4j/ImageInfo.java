package io.qcow4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code qemu-img info} shows of one image (not of its backing chain).
 *
 * @param format              the format's name, {@code "qcow2"} or {@code "raw"}
 * @param filename            the image file
 * @param virtualSize         the guest disk size in bytes
 * @param actualSize          bytes the image file occupies on its file system
 * @param clusterSize         the cluster size, or 0 for formats without clusters
 * @param dirty               whether the image was not closed cleanly
 * @param backingFilename     the backing file name as the image stores it, or null
 * @param fullBackingFilename the backing file the image opens, or null: a relative name resolved as QEMU resolves it,
 *                            against the image's directory, or for a name with a protocol prefix ({@code file:},
 *                            {@code json:}) against the current directory when the file is there
 * @param backingFormat       the backing file's format as the image declares it, or null
 * @param snapshots           the internal snapshots, oldest first
 * @param formatSpecific      the format's own fields, keyed by {@code qemu-img}'s JSON names (values are strings,
 *                            numbers, booleans, lists or maps), in a stable order
 */
public record ImageInfo(String format, Path filename, long virtualSize, long actualSize, int clusterSize,
                        boolean dirty, String backingFilename, Path fullBackingFilename, String backingFormat,
                        List<SnapshotInfo> snapshots, Map<String, Object> formatSpecific) {

    /**
     * Checks the fields that must be present.
     *
     * @param format as the record describes it
     * @param filename as the record describes it
     * @param virtualSize as the record describes it
     * @param actualSize as the record describes it
     * @param clusterSize as the record describes it
     * @param dirty as the record describes it
     * @param backingFilename as the record describes it
     * @param fullBackingFilename as the record describes it
     * @param backingFormat as the record describes it
     * @param snapshots as the record describes it
     * @param formatSpecific as the record describes it
     */
    public ImageInfo {
        snapshots = List.copyOf(snapshots);
        formatSpecific = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(formatSpecific));
    }
}
