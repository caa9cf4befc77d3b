package io.qcow4j.qcow2;

import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import io.qcow4j.BackingChainException;

/**
 * QEMU's {@code json:} file names: block driver options where a backing or data file name would be, as QEMU writes
 * them for a file it opened with options ({@code json:{"driver": "qcow2", "file": {"driver": "file", "filename":
 * "/images/base.qcow2"}}}). The forms that name a local file through QEMU's file protocol are read, with the format
 * they name; any other driver, and any option that would change what is read, is refused by name.
 */
final class JsonFileName {

    private static final String PREFIX = "json:";
    private static final Set<String> FORMATS = Set.of("qcow2", "raw");
    /** Options that change how QEMU opens or caches a file, not which bytes it reads. */
    private static final Set<String> IGNORED = Set.of("node-name", "read-only", "auto-read-only", "force-share",
            "discard", "detect-zeroes", "cache.direct", "cache.no-flush", "aio", "aio-max-batch", "locking",
            "drop-cache", "x-check-cache-dropped");

    /**
     * What a {@code json:} name opens.
     *
     * @param filename the local file's name, as the options give it
     * @param format   the format driver the options name ({@code qcow2}, {@code raw}), or null for none
     */
    record Target(String filename, String format) {
    }

    private JsonFileName() {
    }

    static boolean is(String name) {
        return name.startsWith(PREFIX);
    }

    /**
     * Reads a {@code json:} name.
     *
     * @param what names the file for the error messages, such as "disk.qcow2: the backing file"
     * @throws BackingChainException when the name is not a JSON object, or names no local file, or another driver,
     *                               or an option this reader would have to honour to read the right bytes
     */
    static Target parse(String what, String name) throws BackingChainException {
        Map<String, String> options = new LinkedHashMap<>();
        flatten("", object(what, name), options, what, name);
        String driver = options.remove("driver");
        String fileDriver = options.remove("file.driver");
        String filename = options.remove("filename");
        String childFilename = options.remove("file.filename");
        if (filename != null && childFilename != null) {
            throw refused(what, name, "it gives both filename and file.filename");
        }
        if (filename == null) {
            filename = childFilename;
        }
        String format = null;
        if (driver != null && !driver.equals("file")) {
            if (!FORMATS.contains(driver)) {
                throw refused(what, name, "driver '" + driver + "' is not one this reader has (qcow2, raw, file)");
            }
            format = driver;
        }
        if (fileDriver != null && !fileDriver.equals("file")) {
            throw refused(what, name, "file.driver '" + fileDriver + "' is not QEMU's local file protocol");
        }
        for (String option : options.keySet()) {
            String last = option.startsWith("file.") ? option.substring("file.".length()) : option;
            if (!IGNORED.contains(last)) {
                throw refused(what, name, "option '" + option + "' is not supported");
            }
        }
        if (filename == null || filename.isEmpty()) {
            throw refused(what, name, "it names no file (filename or file.filename)");
        }
        return new Target(filename, format);
    }

    private static JsonObject object(String what, String name) throws BackingChainException {
        // strict, as QEMU's own parser: no comments, no single quotes, nothing after the object
        JsonReader reader = new JsonReader(new StringReader(name.substring(PREFIX.length())));
        reader.setStrictness(Strictness.STRICT);
        try {
            JsonElement root = new Gson().getAdapter(JsonElement.class).read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT || !root.isJsonObject()) {
                throw refused(what, name, "it is not one JSON object");
            }
            return root.getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw refused(what, name, "it is not valid JSON (" + e.getMessage() + ")");
        }
    }

    /** QEMU's {@code qdict_flatten}: nested objects become dotted keys. */
    private static void flatten(String prefix, JsonObject object, Map<String, String> into, String what, String name)
            throws BackingChainException {
        for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
            String key = prefix + entry.getKey();
            JsonElement value = entry.getValue();
            if (value.isJsonObject()) {
                flatten(key + ".", value.getAsJsonObject(), into, what, name);
            } else if (value.isJsonPrimitive()) {
                into.put(key, value.getAsString());
            } else {
                throw refused(what, name, "option '" + key + "' is not a string, number, boolean or object");
            }
        }
    }

    private static BackingChainException refused(String what, String name, String why) {
        return new BackingChainException(what + " '" + name + "' (QEMU's json: options) cannot be read: " + why);
    }
}
