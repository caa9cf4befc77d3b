package io.qcow4j.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One line of {@code qemu-img map --output=json}, parsed. */
public record QemuMap(long start, long length, int depth, boolean present, boolean zero, boolean data, long offset) {

    private static final Pattern ENTRY = Pattern.compile("\\{ \"start\": (\\d+), \"length\": (\\d+), \"depth\": (\\d+),"
            + "(?: \"present\": (true|false),)? \"zero\": (true|false), \"data\": (true|false)"
            + "(?:, \"compressed\": (?:true|false))?(?:, \"offset\": (\\d+))?\\}");

    /**
     * Runs {@code qemu-img map --output=json} on the image and parses every entry.
     *
     * @param image the image
     * @return the entries
     */
    public static List<QemuMap> of(Path image) {
        String json = Qemu.run("qemu-img", "map", "--output=json", image.toString());
        List<QemuMap> entries = new ArrayList<>();
        Matcher m = ENTRY.matcher(json);
        while (m.find()) {
            entries.add(new QemuMap(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                    Integer.parseInt(m.group(3)), m.group(4) == null || Boolean.parseBoolean(m.group(4)),
                    Boolean.parseBoolean(m.group(5)), Boolean.parseBoolean(m.group(6)),
                    m.group(7) == null ? -1 : Long.parseLong(m.group(7))));
        }
        return entries;
    }
}
