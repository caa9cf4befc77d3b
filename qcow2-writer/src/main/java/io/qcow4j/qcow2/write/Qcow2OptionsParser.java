package io.qcow4j.qcow2.write;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Reads qemu-img's {@code -o} option list for a qcow2 target, such as {@code "cluster_size=2M,compression_type=zstd"},
 * as QEMU's option parser reads it, into {@link Qcow2Options}:
 * <pre>{@code
 * Qcow2OptionsParser.Parsed parsed = Qcow2OptionsParser.parse("cluster_size=2M,refcount_bits=8,extended_l2=on");
 * Qcow2Options options = parsed.options();
 * }</pre>
 *
 * <p>The list is {@code name=value} pairs separated by commas; a comma inside a value is doubled; a later pair
 * overrides an earlier one of the same name; {@code name} alone means {@code name=on} and {@code noname} means
 * {@code name=off}. Sizes ({@code cluster_size}, {@code size}) take qemu's suffixes K, M, G, T, P and E (powers of
 * 1024, either case) and fractions such as {@code 1.5M}; numbers ({@code refcount_bits}) are decimal, {@code 0x}
 * hexadecimal or 0-prefixed octal; booleans are {@code on}/{@code off} (or {@code yes}/{@code no},
 * {@code true}/{@code false}). The names are qemu-img's qcow2 creation options: {@code backing_file},
 * {@code backing_fmt}, {@code cluster_size}, {@code compat} ({@code 0.10}, {@code 1.1}, {@code v2}, {@code v3}),
 * {@code compression_type}, {@code extended_l2}, {@code lazy_refcounts}, {@code preallocation}, {@code refcount_bits}
 * and {@code size}; the file options {@code nocow} and {@code extent_size_hint} are checked and ignored. External data
 * files and encryption are refused: qcow4j writes neither.
 *
 * <p>Every failure is an {@link IllegalArgumentException} whose message is qemu-img's where qemu-img has one.
 */
public final class Qcow2OptionsParser {

    /** How much of a new image is allocated up front: qemu-img's {@code -o preallocation=}. */
    public enum Preallocation {
        /** Nothing beyond the header and the refcount structures: qemu-img's default. */
        OFF,
        /** Every L2 table, and every data cluster mapped but not written. */
        METADATA,
        /** As {@link #METADATA}, with the file's space reserved by {@code fallocate}. */
        FALLOC,
        /** As {@link #METADATA}, with every data cluster written with zeros. */
        FULL;

        /**
         * The name qemu-img's {@code -o preallocation=} takes for it.
         *
         * @return {@code off}, {@code metadata}, {@code falloc} or {@code full}
         */
        public String optionName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * Whether every data cluster of the disk takes its space in the file.
         *
         * @return true for {@link #FALLOC} and {@link #FULL}
         */
        public boolean allocatesData() {
            return this == FALLOC || this == FULL;
        }

        /**
         * The mode qemu-img names so.
         *
         * @param name {@code off}, {@code metadata}, {@code falloc} or {@code full}
         * @return its mode
         * @throws IllegalArgumentException for any other name
         */
        public static Preallocation ofOptionName(String name) {
            for (Preallocation mode : values()) {
                if (mode.optionName().equals(name)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("Parameter 'preallocation' does not accept value '" + name + "'");
        }
    }

    /**
     * What an option list says.
     *
     * @param options       the image's layout, checked as qemu-img create checks it
     * @param size          the {@code size} option, when given (qemu-img create's size argument overrides it)
     * @param preallocation the {@code preallocation} option, {@link Preallocation#OFF} when not given
     */
    public record Parsed(Qcow2Options options, OptionalLong size, Preallocation preallocation) {

        /**
         * Checks that no part is missing.
         *
         * @param options       as the record describes it
         * @param size          as the record describes it
         * @param preallocation as the record describes it
         */
        public Parsed {
            Objects.requireNonNull(options, "options");
            Objects.requireNonNull(size, "size");
            Objects.requireNonNull(preallocation, "preallocation");
        }
    }

    private enum Type { STRING, SIZE, NUMBER, BOOL }

    /** qemu-img's option names for a qcow2 image and its file, with their types. */
    private static final Map<String, Type> QCOW2_OPTIONS = new LinkedHashMap<>();
    /** qemu-img's option names for a raw image and its file. */
    private static final Map<String, Type> RAW_OPTIONS = new LinkedHashMap<>();

    static {
        for (String name : List.of("backing_file", "backing_fmt", "compat", "compression_type", "data_file",
                "encrypt.cipher-alg", "encrypt.cipher-mode", "encrypt.format", "encrypt.hash-alg",
                "encrypt.ivgen-alg", "encrypt.ivgen-hash-alg", "encrypt.key-secret", "preallocation")) {
            QCOW2_OPTIONS.put(name, Type.STRING);
        }
        for (String name : List.of("cluster_size", "extent_size_hint", "size")) {
            QCOW2_OPTIONS.put(name, Type.SIZE);
        }
        for (String name : List.of("encrypt.iter-time", "refcount_bits")) {
            QCOW2_OPTIONS.put(name, Type.NUMBER);
        }
        for (String name : List.of("data_file_raw", "encryption", "extended_l2", "lazy_refcounts", "nocow")) {
            QCOW2_OPTIONS.put(name, Type.BOOL);
        }
        RAW_OPTIONS.put("extent_size_hint", Type.SIZE);
        RAW_OPTIONS.put("nocow", Type.BOOL);
        RAW_OPTIONS.put("preallocation", Type.STRING);
        RAW_OPTIONS.put("size", Type.SIZE);
    }

    private Qcow2OptionsParser() {
    }

    /**
     * Reads an option list for a new qcow2 image, starting from qemu-img's defaults.
     *
     * @param options the list, as given to {@code -o}
     * @return what it says
     * @throws IllegalArgumentException when the list is malformed, names an option qemu-img does not know or one
     *                                  qcow4j does not write, gives a value of the wrong type, or options that do not
     *                                  go together
     */
    public static Parsed parse(String options) {
        return parse(options, Qcow2Options.defaults());
    }

    /**
     * Reads an option list for a new qcow2 image, over {@code base}: options the list does not name keep their value
     * there (a command line's {@code -b}, say).
     *
     * @param options the list, as given to {@code -o}
     * @param base    the options to start from
     * @return what it says
     * @throws IllegalArgumentException when the list is malformed, names an option qemu-img does not know or one
     *                                  qcow4j does not write, gives a value of the wrong type, or options that do not
     *                                  go together
     */
    public static Parsed parse(String options, Qcow2Options base) {
        Objects.requireNonNull(base, "base");
        Map<String, Object> values = values(options, QCOW2_OPTIONS, "qcow2");
        Qcow2Options.Builder builder = base.toBuilder();
        OptionalLong size = OptionalLong.empty();
        Preallocation preallocation = Preallocation.OFF;
        for (Map.Entry<String, Object> entry : values.entrySet()) {
            Object value = entry.getValue();
            switch (entry.getKey()) {
                case "backing_file" -> builder.backingFile((String) value);
                case "backing_fmt" -> builder.backingFormat((String) value);
                case "cluster_size" -> builder.clusterSize(clusterSize((Long) value));
                case "compat" -> builder.compat(compat((String) value));
                case "compression_type" -> builder.compressionType(compressionType((String) value));
                case "extended_l2" -> builder.extendedL2((Boolean) value);
                case "lazy_refcounts" -> builder.lazyRefcounts((Boolean) value);
                case "refcount_bits" -> builder.refcountBits(refcountBits((Long) value));
                case "preallocation" -> preallocation = Preallocation.ofOptionName((String) value);
                case "size" -> size = OptionalLong.of(imageSize((Long) value));
                case "nocow", "extent_size_hint" -> {
                    // how the file is laid out on the host's file system, not the image: nothing to write
                }
                case "data_file" -> throw unsupported("external data files (data_file)");
                case "data_file_raw" -> {
                    if ((Boolean) value) {
                        throw unsupported("external data files (data_file_raw)");
                    }
                }
                case "encryption" -> {
                    if ((Boolean) value) {
                        throw unsupported("encryption (encryption)");
                    }
                }
                default -> throw unsupported("encryption (" + entry.getKey() + ")");
            }
        }
        return new Parsed(builder.build(), size, preallocation);
    }

    /**
     * Reads an option list for a new raw image ({@code size}, {@code preallocation}, {@code nocow},
     * {@code extent_size_hint}), as qemu-img checks it for {@code -O raw}.
     *
     * @param options the list, as given to {@code -o}
     * @return its {@code size} option, when given
     * @throws IllegalArgumentException when the list is malformed, names another option, or gives a value of the
     *                                  wrong type
     */
    public static OptionalLong parseRaw(String options) {
        Map<String, Object> values = values(options, RAW_OPTIONS, "raw");
        Object preallocation = values.get("preallocation");
        if (preallocation != null && !List.of("off", "falloc", "full").contains((String) preallocation)) {
            throw new IllegalArgumentException("Parameter 'preallocation' does not accept value '" + preallocation
                    + "'");
        }
        Object size = values.get("size");
        return size == null ? OptionalLong.empty() : OptionalLong.of(imageSize((Long) size));
    }

    /**
     * Joins several {@code -o} arguments into one list, as qemu-img does, checking each first: an empty one, one
     * starting with a comma and one ending in a single comma are refused.
     *
     * @param lists the arguments, in command-line order
     * @return them joined by commas; empty for none
     * @throws IllegalArgumentException for a malformed argument, with qemu-img's message
     */
    public static String join(List<String> lists) {
        for (String list : lists) {
            checkList(list);
        }
        return String.join(",", lists);
    }

    /** qemu-img's is_valid_option_list. */
    private static void checkList(String list) {
        int trailing = 0;
        while (trailing < list.length() && list.charAt(list.length() - 1 - trailing) == ',') {
            trailing++;
        }
        if (list.isEmpty() || list.charAt(0) == ',' || trailing % 2 != 0) {
            throw new IllegalArgumentException("Invalid option list: " + list);
        }
    }

    /**
     * The typed values of the list, one per name in the order first given, a later value replacing an earlier one
     * (QEMU looks options up from the end).
     */
    private static Map<String, Object> values(String options, Map<String, Type> known, String format) {
        Objects.requireNonNull(options, "options");
        Map<String, Object> values = new LinkedHashMap<>();
        if (options.isEmpty()) {
            return values;
        }
        checkList(options);
        for (String[] pair : pairs(options)) {
            String name = pair[0];
            String value = pair[1];
            if ("id".equals(name)) {
                // QEMU's option parser takes an id for the list itself, which an option list for a new image ignores
                continue;
            }
            Type type = known.get(name);
            if (type == null) {
                throw invalid("Invalid parameter '" + name + "'", format);
            }
            try {
                values.put(name, switch (type) {
                    case STRING -> value;
                    case SIZE -> QemuOptionValues.size(name, value);
                    case NUMBER -> QemuOptionValues.number(name, value);
                    case BOOL -> QemuOptionValues.bool(name, value);
                });
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage(), format);
            }
        }
        return values;
    }

    private static IllegalArgumentException invalid(String message, String format) {
        return new InvalidOptionsException(message, format);
    }

    /**
     * A list that does not parse: an unknown name, or a value of the wrong type. {@code qemu-img create} reports the
     * message alone; {@code qemu-img measure} and {@code convert} add a line naming the format
     * ({@link #formatLine()}).
     */
    public static final class InvalidOptionsException extends IllegalArgumentException {

        private static final long serialVersionUID = 1L;

        /** The format {@link #formatLine()} names. */
        private final String format;

        InvalidOptionsException(String message, String format) {
            super(message);
            this.format = format;
        }

        /**
         * qemu-img's second line after such a list, in the commands that print one.
         *
         * @return {@code Invalid options for file format 'FORMAT'}
         */
        public String formatLine() {
            return "Invalid options for file format '" + format + "'";
        }
    }

    /** The {@code name=value} pairs of QEMU's opts_do_parse: {@code name} alone is on, {@code noname} off. */
    private static List<String[]> pairs(String options) {
        List<String[]> pairs = new ArrayList<>();
        int at = 0;
        while (at < options.length()) {
            int nameEnd = at;
            while (nameEnd < options.length() && options.charAt(nameEnd) != '=' && options.charAt(nameEnd) != ',') {
                nameEnd++;
            }
            String name = options.substring(at, nameEnd);
            if (nameEnd == options.length() || options.charAt(nameEnd) == ',') {
                boolean off = name.startsWith("no");
                pairs.add(new String[] {off ? name.substring(2) : name, off ? "off" : "on"});
                at = nameEnd + 1;
                continue;
            }
            StringBuilder value = new StringBuilder();
            int p = nameEnd + 1;
            while (true) {
                int comma = options.indexOf(',', p);
                if (comma < 0) {
                    value.append(options, p, options.length());
                    p = options.length();
                    break;
                }
                if (comma + 1 < options.length() && options.charAt(comma + 1) == ',') {
                    value.append(options, p, comma + 1);
                    p = comma + 2;
                } else {
                    value.append(options, p, comma);
                    p = comma + 1;
                    break;
                }
            }
            pairs.add(new String[] {name, value.toString()});
            at = p;
        }
        return pairs;
    }

    private static int clusterSize(long bytes) {
        if (bytes < Qcow2Options.MIN_CLUSTER_SIZE || bytes > Qcow2Options.MAX_CLUSTER_SIZE) {
            throw new IllegalArgumentException("Cluster size must be a power of two between 512 and 2048k");
        }
        return (int) bytes;
    }

    private static int refcountBits(long bits) {
        if (bits < 1 || bits > 64) {
            throw new IllegalArgumentException("Refcount width must be a power of two and may not exceed 64 bits");
        }
        return (int) bits;
    }

    private static long imageSize(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("Image size must be less than 8 EiB!");
        }
        return bytes;
    }

    /** qemu-img create's message (measure says "Invalid compatibility level"); {@code v2} and {@code v3} too. */
    private static Qcow2Options.Compat compat(String value) {
        try {
            return Qcow2Options.Compat.ofOptionName(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Parameter 'version' does not accept value '" + value + "'", e);
        }
    }

    private static CompressionType compressionType(String value) {
        try {
            return CompressionType.ofOptionName(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Parameter 'compression-type' does not accept value '" + value + "'",
                    e);
        }
    }

    private static IllegalArgumentException unsupported(String what) {
        return new IllegalArgumentException("qcow4j does not write " + what);
    }
}
