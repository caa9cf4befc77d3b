package io.qcow4j.examples.cli;

import java.util.List;

import io.qcow4j.spi.Allocation;
import io.qcow4j.spi.BlockStatus;

/** {@code qemu-img map}'s two forms: its JSON array, and its table of where guest data is stored. */
final class MapText {

    private MapText() {
    }

    /** One line per run, the first opening the array: {@code qemu-img map --output=json} (QEMU 8's fields). */
    static String json(List<BlockStatus> runs) {
        if (runs.isEmpty()) {
            // an empty disk: qemu-img still prints one entry, of length 0
            return "[{ \"start\": 0, \"length\": 0, \"depth\": 0, \"present\": false, \"zero\": false,"
                    + " \"data\": false, \"compressed\": false}]\n";
        }
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < runs.size(); i++) {
            BlockStatus run = runs.get(i);
            if (i > 0) {
                out.append(",\n");
            }
            out.append("{ \"start\": ").append(run.offset())
                    .append(", \"length\": ").append(run.length())
                    .append(", \"depth\": ").append(run.depth())
                    .append(", \"present\": ").append(run.allocation() != Allocation.UNALLOCATED)
                    .append(", \"zero\": ").append(run.allocation() != Allocation.DATA)
                    .append(", \"data\": ").append(run.allocation() == Allocation.DATA
                            || run.allocation() == Allocation.DATA_IN_HOLE)
                    .append(", \"compressed\": ").append(run.compressed());
            if (run.hostOffset() >= 0) {
                out.append(", \"offset\": ").append(run.hostOffset());
            }
            out.append('}');
        }
        return out.append("]\n").toString();
    }

    /**
     * The runs that hold data, with the file that stores them. Where {@code qemu-img} gives up on compressed data
     * ("File contains ... compressed clusters"), the table says "compressed" instead of a host offset.
     *
     * @param names the file name of each depth of the backing chain
     */
    static String human(List<BlockStatus> runs, List<String> names) {
        StringBuilder out = new StringBuilder(String.format("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to",
                "File"));
        for (BlockStatus run : runs) {
            if (run.allocation() != Allocation.DATA) {
                continue;
            }
            String mappedTo = run.hostOffset() >= 0 ? hex(run.hostOffset()) : "compressed";
            out.append(String.format("%-16s%-16s%-16s%s\n", hex(run.offset()), hex(run.length()), mappedTo,
                    names.get(run.depth())));
        }
        return out.toString();
    }

    /** C's {@code %#x}: 0x before the digits, except for zero. */
    private static String hex(long value) {
        return value == 0 ? "0" : "0x" + Long.toHexString(value);
    }
}
