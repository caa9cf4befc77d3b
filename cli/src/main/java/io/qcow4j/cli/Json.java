package io.qcow4j.cli;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Writes JSON as {@code qemu-img --output=json} does: four-space indentation, keys in the order given. */
final class Json {

    private Json() {
    }

    /** A map, list, string, number or boolean, pretty-printed, with no final newline. */
    static String pretty(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, int depth) {
        if (value instanceof Map<?, ?> map) {
            writeEntries(out, "{", "}", map.entrySet().iterator(), depth, true);
        } else if (value instanceof List<?> list) {
            writeEntries(out, "[", "]", list.iterator(), depth, false);
        } else if (value instanceof String s) {
            out.append(quote(s));
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value == null) {
            out.append("null");
        } else {
            out.append(quote(value.toString()));
        }
    }

    private static void writeEntries(StringBuilder out, String open, String close, Iterator<?> entries, int depth,
                                     boolean keyed) {
        out.append(open);
        if (!entries.hasNext()) {
            // QEMU's pretty printer breaks the line inside an empty list or object too
            out.append('\n').append("    ".repeat(depth)).append(close);
            return;
        }
        out.append('\n');
        String indent = "    ".repeat(depth + 1);
        while (entries.hasNext()) {
            Object entry = entries.next();
            out.append(indent);
            if (keyed) {
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) entry;
                out.append(quote(String.valueOf(e.getKey()))).append(": ");
                write(out, e.getValue(), depth + 1);
            } else {
                write(out, entry, depth + 1);
            }
            out.append(entries.hasNext() ? ",\n" : "\n");
        }
        out.append("    ".repeat(depth)).append(close);
    }

    /** A JSON string; control and non-ASCII characters as {@code \\uXXXX}, as QEMU writes them. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
