package io.qcow4j.vmdk;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.spi.FileNames;

/**
 * Reads a descriptor's text as every writer lays it out: lines ending in LF or CRLF, comments, blank lines, the
 * header, extent and disk database sections in any order, {@code key=value} or {@code key = "value"}, file names in
 * quotes that may hold spaces. Lines it does not know are skipped, as QEMU skips them; the first of two equal keys
 * counts, as QEMU finds it. File names are read as QEMU reads them, their bytes as they are, and also as the
 * descriptor's {@code encoding} reads them.
 */
final class DescriptorParser {

    private DescriptorParser() {
    }

    /**
     * Parses the descriptor in {@code bytes[0, length)}, which ends at the first NUL byte if there is one. A CID or
     * parentCID it lacks is -1.
     *
     * @param readExtents whether to read its extent lines: a sparse file's embedded descriptor names the file
     *                    itself, and QEMU reads nothing of those lines
     * @throws CorruptImageException       naming the line that cannot be read, or a CID that is not a number
     * @throws ImageLimitException         when it lists more than {@link Limits#EXTENTS} extents
     * @throws UnsupportedFeatureException for an extent type or access this reader does not read
     */
    static Descriptor parse(byte[] bytes, int length, boolean readExtents) throws ImageException {
        int end = 0;
        while (end < length && bytes[end] != 0) {
            end++;
        }
        // byte for byte: names are decoded as file names later, the rest is ASCII
        String text = new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
        Map<String, String> values = new HashMap<>();
        List<ExtentLine> extents = new ArrayList<>();
        int lineNumber = 0;
        int at = 0;
        while (at < text.length()) {
            int newline = text.indexOf('\n', at);
            int lineEnd = newline < 0 ? text.length() : newline;
            lineNumber++;
            String line = text.substring(at, lineEnd).strip();
            at = lineEnd + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String access = firstWord(line);
            if (access.equals("RW") || access.equals("RDONLY") || access.equals("NOACCESS")) {
                if (!readExtents) {
                    continue;
                }
                ExtentLine extent = extentLine(lineNumber, line, access);
                if (extent != null) {
                    if (extents.size() == Limits.EXTENTS) {
                        throw new ImageLimitException("the descriptor lists more than " + Limits.EXTENTS
                                + " extents, this reader's limit");
                    }
                    extents.add(extent);
                }
                continue;
            }
            int equals = line.indexOf('=');
            if (equals > 0) {
                values.putIfAbsent(line.substring(0, equals).strip(), unquote(line.substring(equals + 1).strip()));
            }
        }
        String parentHint = values.get("parentFileNameHint");
        boolean hasParent = parentHint != null && !parentHint.isEmpty();
        Charset declared = charset(values.get("encoding"));
        List<ExtentLine> named = new ArrayList<>();
        for (ExtentLine e : extents) {
            named.add(e.name() == null ? e : new ExtentLine(e.line(), e.sectors(), e.type(), fileName(e.name()),
                    e.flatOffset(), declaredName(e.name(), declared)));
        }
        return new Descriptor(values.get("createType"), cid(values, "CID"), cid(values, "parentCID"),
                hasParent ? fileName(parentHint) : null, named, hasParent ? declaredName(parentHint, declared) : null);
    }

    /** The charset the descriptor's {@code encoding} names, or null where it names none Java knows, or none. */
    private static Charset charset(String encoding) {
        if (encoding == null) {
            return null;
        }
        try {
            return Charset.forName(encoding);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The name in {@code latin1}'s bytes decoded with the descriptor's encoding, where that differs from how the JDK
     * decodes file names: VMware on Windows writes names in the ANSI code page ({@code encoding="windows-1252"},
     * {@code "GBK"}), and the files of a disk copied off Windows are named in Unicode, where the name's bytes as
     * they are (QEMU's reading) name no file.
     */
    private static String declaredName(String latin1, Charset declared) {
        if (declared == null) {
            return null;
        }
        String name = new String(latin1.getBytes(StandardCharsets.ISO_8859_1), declared);
        return name.equals(fileName(latin1)) || name.indexOf('\uFFFD') >= 0 ? null : name;
    }

    private static String firstWord(String line) {
        int space = 0;
        while (space < line.length() && !Character.isWhitespace(line.charAt(space))) {
            space++;
        }
        return line.substring(0, space);
    }

    /** The extent on {@code line}, or null for one of no sectors, which QEMU skips. */
    private static ExtentLine extentLine(int number, String line, String access) throws ImageException {
        List<String> tokens = tokens(number, line);
        if (tokens.size() < 3) {
            throw invalid(number, line, "an extent line needs an access, a size in sectors and a type");
        }
        long sectors = number(number, line, tokens.get(1), "size");
        String typeWord = tokens.get(2);
        ExtentType type;
        try {
            type = ExtentType.valueOf(typeWord);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedFeatureException("descriptor line " + number + ": unsupported extent type '"
                    + typeWord + "' (this reader reads FLAT, SPARSE, ZERO, VMFS, VMFSSPARSE and SESPARSE)");
        }
        if (access.equals("NOACCESS")) {
            throw new UnsupportedFeatureException("descriptor line " + number + ": the " + typeWord
                    + " extent has access NOACCESS, which VMware gives no reader");
        }
        if (sectors == 0) {
            return null;
        }
        if (type == ExtentType.ZERO) {
            return new ExtentLine(number, sectors, type, null, 0);
        }
        if (tokens.size() < 4 || tokens.get(3).isEmpty()) {
            throw invalid(number, line, "a " + typeWord + " extent needs a file name");
        }
        long offset = 0;
        if (tokens.size() >= 5) {
            if (type == ExtentType.FLAT) {
                offset = number(number, line, tokens.get(4), "offset");
            } else if (type == ExtentType.VMFS) {
                throw invalid(number, line, "a VMFS extent takes no offset");
            }
        }
        // the name's bytes, as ISO-8859-1 keeps them: decoded once the descriptor's encoding is known
        return new ExtentLine(number, sectors, type, tokens.get(3), offset);
    }

    /** The words of an extent line; a quoted file name is one word, without its quotes. */
    private static List<String> tokens(int number, String line) throws CorruptImageException {
        List<String> tokens = new ArrayList<>();
        int at = 0;
        while (at < line.length()) {
            char c = line.charAt(at);
            if (Character.isWhitespace(c)) {
                at++;
            } else if (c == '"') {
                int close = line.indexOf('"', at + 1);
                if (close < 0) {
                    throw invalid(number, line, "the file name has no closing quote");
                }
                tokens.add(line.substring(at + 1, close));
                at = close + 1;
            } else {
                int start = at;
                while (at < line.length() && !Character.isWhitespace(line.charAt(at))) {
                    at++;
                }
                tokens.add(line.substring(start, at));
            }
        }
        return tokens;
    }

    private static long number(int number, String line, String token, String what) throws CorruptImageException {
        if (token.isEmpty() || token.length() > 18 || !token.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(number, line, "the " + what + " '" + token + "' is not a number of sectors");
        }
        return Long.parseLong(token);
    }

    private static CorruptImageException invalid(int number, String line, String why) {
        String shown = line.length() > 200 ? line.substring(0, 200) + "..." : line;
        return new CorruptImageException("descriptor line " + number + ": invalid extent line '" + shown + "': "
                + why);
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    /** The name as the JDK decodes the same bytes when it names a file: how QEMU reaches the file, byte for byte. */
    private static String fileName(String latin1) {
        byte[] raw = latin1.getBytes(StandardCharsets.ISO_8859_1);
        return FileNames.decode(raw, 0, raw.length);
    }

    private static long cid(Map<String, String> values, String key) throws CorruptImageException {
        String value = values.get(key);
        if (value == null) {
            return -1;
        }
        String digits = value.toLowerCase(Locale.ROOT).startsWith("0x") ? value.substring(2) : value;
        if (digits.isEmpty() || digits.length() > 8 || !digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new CorruptImageException("the descriptor's " + key + " '" + value
                    + "' is not a 32-bit hexadecimal number");
        }
        return Long.parseLong(digits, 16);
    }
}
