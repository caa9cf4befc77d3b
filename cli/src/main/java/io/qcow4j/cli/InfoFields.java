package io.qcow4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.qcow4j.ImageInfo;
import io.qcow4j.SnapshotInfo;

/**
 * An image's {@code qemu-img info} object: its JSON keys and values, in the order QEMU 7.2 prints them (its
 * dictionaries iterate in hash order, which is stable for a given set of keys). The human form prints the same
 * fields.
 */
final class InfoFields {

    /** QEMU's order for the qcow2 fields it knows; fields it does not know follow, in the provider's order. */
    private static final List<String> FORMAT_SPECIFIC_ORDER = List.of("compat", "compression-type", "lazy-refcounts",
            "bitmaps", "refcount-bits", "data-file", "data-file-raw", "corrupt", "extended-l2");
    /**
     * Formats whose QEMU driver answers no {@code bdrv_get_info}: qemu-img shows them without a dirty flag (nor a
     * cluster size, which their providers leave at 0).
     */
    private static final Set<String> WITHOUT_DRIVER_INFO = Set.of("parallels");

    private InfoFields() {
    }

    /**
     * @param name        the image's name as the user or the overlay spelled it
     * @param backingName its backing file's name joined to its directory, or null
     */
    static Map<String, Object> of(String name, ImageInfo info, String backingName) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (info.backingFilename() != null && info.backingFormat() != null) {
            fields.put("backing-filename-format", info.backingFormat());
        }
        if (!info.snapshots().isEmpty()) {
            fields.put("snapshots", snapshots(info.snapshots()));
        }
        fields.put("virtual-size", info.virtualSize());
        fields.put("filename", name);
        if (info.clusterSize() > 0) {
            fields.put("cluster-size", info.clusterSize());
        }
        fields.put("format", info.format());
        fields.put("actual-size", info.actualSize());
        if (!info.formatSpecific().isEmpty()) {
            Map<String, Object> specific = new LinkedHashMap<>();
            specific.put("type", info.format());
            specific.put("data", ordered(info.formatSpecific()));
            fields.put("format-specific", specific);
        }
        if (info.backingFilename() != null) {
            fields.put("full-backing-filename", backingName);
            fields.put("backing-filename", info.backingFilename());
        }
        if (!WITHOUT_DRIVER_INFO.contains(info.format())) {
            fields.put("dirty-flag", info.dirty());
        }
        return fields;
    }

    static Map<String, Object> ordered(Map<String, Object> formatSpecific) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (String key : FORMAT_SPECIFIC_ORDER) {
            if (formatSpecific.containsKey(key)) {
                data.put(key, formatSpecific.get(key));
            }
        }
        formatSpecific.forEach(data::putIfAbsent);
        return data;
    }

    private static List<Object> snapshots(List<SnapshotInfo> snapshots) {
        List<Object> list = new ArrayList<>();
        for (SnapshotInfo s : snapshots) {
            Map<String, Object> fields = new LinkedHashMap<>();
            if (s.icount() != -1) {
                fields.put("icount", s.icount());
            }
            fields.put("vm-clock-nsec", s.vmClockNsec() % 1_000_000_000L);
            fields.put("name", s.name());
            fields.put("date-sec", s.dateSec());
            fields.put("date-nsec", s.dateNsec());
            fields.put("vm-clock-sec", s.vmClockNsec() / 1_000_000_000L);
            fields.put("id", s.id());
            fields.put("vm-state-size", s.vmStateSize());
            list.add(fields);
        }
        return list;
    }
}
