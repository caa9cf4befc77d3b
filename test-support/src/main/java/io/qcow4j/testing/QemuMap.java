package io.qcow4j.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;

/** One entry of {@code qemu-img map --output=json}: qemu-img's, or ours as qemu-img would print it. */
public record QemuMap(long start, long length, int depth, boolean present, boolean zero, boolean data, long offset) {

    /**
     * Runs {@code qemu-img map --output=json} on the image, its format probed, and parses every entry.
     *
     * @param image the image
     * @return the entries
     */
    public static List<QemuMap> of(Path image) {
        return of(image, null);
    }

    /**
     * Runs {@code qemu-img map --output=json} on the image and parses every entry.
     *
     * @param image  the image
     * @param format its format ({@code -f}), or null to let qemu-img probe it
     * @return the entries
     */
    public static List<QemuMap> of(Path image, String format) {
        List<String> command = new ArrayList<>(List.of("qemu-img", "map", "--output=json"));
        if (format != null) {
            command.addAll(List.of("-f", format));
        }
        command.add(image.toString());
        List<QemuMap> map = new ArrayList<>();
        for (JsonElement element : JsonParser.parseString(Qemu.run(command)).getAsJsonArray()) {
            JsonObject e = element.getAsJsonObject();
            // qemu-img 7.2 leaves "present" out where it is true, and has no "compressed"
            map.add(new QemuMap(e.get("start").getAsLong(), e.get("length").getAsLong(), e.get("depth").getAsInt(),
                    !e.has("present") || e.get("present").getAsBoolean(), e.get("zero").getAsBoolean(),
                    e.get("data").getAsBoolean(), e.has("offset") ? e.get("offset").getAsLong() : -1));
        }
        return map;
    }

    /**
     * Our map as qemu-img prints it: data in a hole of a file is data that reads as zero; compression is not shown.
     *
     * @param image the image
     * @return the entries, merged as {@link #merged} merges them
     * @throws IOException when the image cannot say
     */
    public static List<QemuMap> of(Image image) throws IOException {
        List<QemuMap> view = new ArrayList<>();
        for (BlockStatus r : image.map(0, image.size())) {
            view.add(new QemuMap(r.offset(), r.length(), r.depth(), r.allocation() != Allocation.UNALLOCATED,
                    r.readsAsZero(), r.allocation() == Allocation.DATA || r.allocation() == Allocation.DATA_IN_HOLE,
                    r.hostOffset()));
        }
        return merged(view);
    }

    /**
     * The entries with neighbours that qemu-img would print as one merged: same fields, contiguous offsets.
     *
     * @param entries the entries, in order
     * @return the merged entries
     */
    public static List<QemuMap> merged(List<QemuMap> entries) {
        List<QemuMap> merged = new ArrayList<>();
        for (QemuMap e : entries) {
            QemuMap last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last.depth() == e.depth() && last.present() == e.present()
                    && last.zero() == e.zero() && last.data() == e.data()
                    && (last.offset() == -1 ? e.offset() == -1 : e.offset() == last.offset() + last.length())) {
                merged.set(merged.size() - 1, new QemuMap(last.start(), last.length() + e.length(), last.depth(),
                        last.present(), last.zero(), last.data(), last.offset()));
            } else {
                merged.add(e);
            }
        }
        return merged;
    }
}
