package io.qcow4j.cli;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;

/**
 * {@code qemu-img map}'s two forms, its JSON array and its table of where guest data is stored, written run by run
 * as the image's map is walked: a large image of scattered clusters has tens of millions of runs, too many to hold.
 */
final class MapText {

    private MapText() {
    }

    /** One line per run, the first opening the array: {@code qemu-img map --output=json} (QEMU 8's fields). */
    static void json(Image image, Writer out) throws IOException {
        boolean[] first = {true};
        image.forEachRun(0, image.size(), run -> {
            out.write(first[0] ? "[" : ",\n");
            first[0] = false;
            out.write(jsonEntry(run));
        });
        // an empty disk: qemu-img still prints one entry, of length 0
        out.write(first[0] ? "[{ \"start\": 0, \"length\": 0, \"depth\": 0, \"present\": false, \"zero\": false,"
                + " \"data\": false, \"compressed\": false}]\n" : "]\n");
    }

    private static String jsonEntry(BlockStatus run) {
        StringBuilder entry = new StringBuilder(160).append("{ \"start\": ").append(run.offset())
                .append(", \"length\": ").append(run.length())
                .append(", \"depth\": ").append(run.depth())
                .append(", \"present\": ").append(run.allocation() != Allocation.UNALLOCATED)
                .append(", \"zero\": ").append(run.allocation() != Allocation.DATA)
                .append(", \"data\": ").append(run.allocation() == Allocation.DATA
                        || run.allocation() == Allocation.DATA_IN_HOLE)
                .append(", \"compressed\": ").append(run.compressed());
        if (run.hostOffset() >= 0) {
            entry.append(", \"offset\": ").append(run.hostOffset());
        }
        return entry.append('}').toString();
    }

    /**
     * The runs that hold data, with the file that stores them. Where {@code qemu-img} gives up on compressed data
     * ("File contains ... compressed clusters"), the table says "compressed" instead of a host offset.
     *
     * @param names the file name of each depth of the backing chain
     */
    static void human(Image image, List<String> names, Writer out) throws IOException {
        out.write(String.format("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to", "File"));
        image.forEachRun(0, image.size(), run -> {
            if (run.allocation() == Allocation.DATA) {
                String mappedTo = run.hostOffset() >= 0 ? hex(run.hostOffset()) : "compressed";
                out.write(String.format("%-16s%-16s%-16s%s\n", hex(run.offset()), hex(run.length()), mappedTo,
                        names.get(run.depth())));
            }
        });
    }

    /** C's {@code %#x}: 0x before the digits, except for zero. */
    private static String hex(long value) {
        return value == 0 ? "0" : "0x" + Long.toHexString(value);
    }
}
