package io.qcow4j.cli;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import io.qcow4j.ImageInfo;
import io.qcow4j.SnapshotInfo;

/** {@code qemu-img info}'s human form, line for line. */
final class InfoText {

    /**
     * Snapshot dates, in the local time zone as qemu-img shows them. Only images with snapshots need them: the zone's
     * rules take milliseconds to read, a good part of a short command's own time, so they are read at the first.
     */
    private static final class Dates {
        static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    }

    String of(String name, ImageInfo info, String backingName) {
        StringBuilder out = new StringBuilder();
        out.append("image: ").append(name).append('\n');
        out.append("file format: ").append(info.format()).append('\n');
        out.append("virtual size: ").append(HumanSize.of(info.virtualSize()))
                .append(" (").append(info.virtualSize()).append(" bytes)\n");
        out.append("disk size: ").append(HumanSize.of(info.actualSize())).append('\n');
        if (info.clusterSize() > 0) {
            out.append("cluster_size: ").append(info.clusterSize()).append('\n');
        }
        if (info.dirty()) {
            out.append("cleanly shut down: no\n");
        }
        if (info.backingFilename() != null) {
            out.append("backing file: ").append(info.backingFilename());
            if (!info.backingFilename().equals(backingName)) {
                out.append(" (actual path: ").append(backingName).append(')');
            }
            out.append('\n');
            if (info.backingFormat() != null) {
                out.append("backing file format: ").append(info.backingFormat()).append('\n');
            }
        }
        if (!info.snapshots().isEmpty()) {
            out.append("Snapshot list:\n");
            out.append(String.format("%-10s%-17s%8s%20s%13s%11s", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK",
                    "ICOUNT")).append('\n');
            for (SnapshotInfo s : info.snapshots()) {
                out.append(snapshotLine(s)).append('\n');
            }
        }
        if (!info.formatSpecific().isEmpty()) {
            out.append("Format specific information:\n");
            dump(out, 1, InfoFields.ordered(info.formatSpecific()));
        }
        return out.toString();
    }

    private String snapshotLine(SnapshotInfo s) {
        long secs = s.vmClockNsec() / 1_000_000_000L;
        String clock = String.format("%02d:%02d:%02d.%03d", secs / 3600, (secs / 60) % 60, secs % 60,
                (s.vmClockNsec() / 1_000_000L) % 1000);
        String date = Dates.DATE.format(Instant.ofEpochSecond(s.dateSec())
                .atZone(ZoneId.systemDefault()));
        return String.format("%s %s %8s%20s%13s%11s", padBytes(s.id(), 9), padBytes(s.name(), 16),
                HumanSize.of(s.vmStateSize()), date, clock, s.icount() == -1 ? "" : Long.toString(s.icount()));
    }

    /** C's {@code %-Ns}: pads to {@code width} bytes of UTF-8, not characters, as qemu-img's printf does. */
    private static String padBytes(String text, int width) {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        return bytes >= width ? text : text + " ".repeat(width - bytes);
    }

    /** QEMU's dump of a QAPI object: dashes in keys become spaces, nested values indent by four. */
    private static void dump(StringBuilder out, int indentation, Object value) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, child) -> {
                out.append("    ".repeat(indentation)).append(String.valueOf(key).replace('-', ' ')).append(':');
                out.append(composite(child) ? "\n" : " ");
                dump(out, indentation + 1, child);
            });
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                Object child = list.get(i);
                out.append("    ".repeat(indentation)).append('[').append(i).append("]:");
                out.append(composite(child) ? '\n' : ' ');
                dump(out, indentation + 1, child);
            }
        } else {
            out.append(value).append('\n');
        }
    }

    private static boolean composite(Object value) {
        return value instanceof Map || value instanceof List;
    }
}
