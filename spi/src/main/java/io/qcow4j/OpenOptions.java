package io.qcow4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to open an image and its backing chain. Immutable; made by a {@link Builder}:
 * <pre>{@code
 * OpenOptions untrusted = OpenOptions.builder()
 *         .format("qcow2")
 *         .filePolicy(FilePolicy.refuseOtherFiles())
 *         .build();
 * }</pre>
 *
 * <p>The settings of one format (the qcow2 L2 cache, say) travel as {@link FormatOption}s, which the other formats'
 * providers ignore.
 */
public final class OpenOptions {

    /** How deep a backing chain may go by default; QEMU has no fixed limit, but a deeper chain is an attack. */
    public static final int DEFAULT_MAX_CHAIN_DEPTH = 256;

    /** {@link Builder#chainMemoryLimit} for the default: a quarter of the JVM's heap, as it is when opening. */
    public static final long DEFAULT_CHAIN_MEMORY = -1;

    private static final OpenOptions DEFAULTS = builder().build();

    private final String format;
    private final String snapshot;
    private final boolean followBacking;
    private final FilePolicy filePolicy;
    private final int maxChainDepth;
    private final long chainMemoryLimit;
    private final Map<FormatOption<?>, Object> formatOptions;

    private OpenOptions(Builder builder) {
        this.format = builder.format;
        this.snapshot = builder.snapshot;
        this.followBacking = builder.followBacking;
        this.filePolicy = builder.filePolicy;
        this.maxChainDepth = builder.maxChainDepth;
        this.chainMemoryLimit = builder.chainMemoryLimit;
        this.formatOptions = Collections.unmodifiableMap(new LinkedHashMap<>(builder.formatOptions));
    }

    /**
     * Probe the format, follow backing files wherever they are (as qemu-img does), read the active disk.
     *
     * @return the default options
     */
    public static OpenOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these options, to change some of them.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The format's provider name ({@code "qcow2"}, {@code "raw"}); empty to probe the file's first bytes.
     *
     * @return the format's name, or empty
     */
    public Optional<String> format() {
        return Optional.ofNullable(format);
    }

    /**
     * The id or name of the internal snapshot to read instead of the active disk; empty for the active disk.
     *
     * @return the snapshot, or empty
     */
    public Optional<String> snapshot() {
        return Optional.ofNullable(snapshot);
    }

    /**
     * Whether to open backing files. Without it, ranges the image does not allocate read as zeros and
     * {@link Image#backing()} is empty, but {@link Image#info()} still names the backing file (what
     * {@code qemu-img info} does without {@code --backing-chain}). The {@link #filePolicy()} is asked all the same.
     *
     * @return whether backing files are opened
     */
    public boolean followBacking() {
        return followBacking;
    }

    /**
     * Which files other than the image itself the chain may open: backing files, data files, extents.
     *
     * @return the policy
     */
    public FilePolicy filePolicy() {
        return filePolicy;
    }

    /**
     * The most images a backing chain may hold, the image itself included.
     *
     * @return the depth limit
     */
    public int maxChainDepth() {
        return maxChainDepth;
    }

    /**
     * The most heap that the images of a chain may hold in tables read at open (qcow2's L1 and snapshot tables, say),
     * all formats together: {@link #DEFAULT_CHAIN_MEMORY}, a quarter of the heap, unless set.
     *
     * @return the limit in bytes
     */
    public long chainMemoryLimit() {
        return chainMemoryLimit == DEFAULT_CHAIN_MEMORY ? Runtime.getRuntime().maxMemory() / 4 : chainMemoryLimit;
    }

    /** Whether {@link #chainMemoryLimit()} is the default, a quarter of the heap: for the message at the limit. */
    boolean defaultChainMemoryLimit() {
        return chainMemoryLimit == DEFAULT_CHAIN_MEMORY;
    }

    /**
     * The value of a format's own option: the one set, or the option's default.
     *
     * @param <T> the option's type
     * @param option the option
     * @return its value
     */
    public <T> T get(FormatOption<T> option) {
        Object value = formatOptions.get(option);
        return value == null ? option.defaultValue() : option.type().cast(value);
    }

    /**
     * The format options set explicitly, in the order they were set.
     *
     * @return the options and their values
     */
    public Map<FormatOption<?>, Object> formatOptions() {
        return formatOptions;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OpenOptions o && Objects.equals(format, o.format)
                && Objects.equals(snapshot, o.snapshot) && followBacking == o.followBacking
                && filePolicy.equals(o.filePolicy) && maxChainDepth == o.maxChainDepth
                && chainMemoryLimit == o.chainMemoryLimit && formatOptions.equals(o.formatOptions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, snapshot, followBacking, filePolicy, maxChainDepth, chainMemoryLimit,
                formatOptions);
    }

    @Override
    public String toString() {
        return "OpenOptions[format=" + format + ", snapshot=" + snapshot + ", followBacking=" + followBacking
                + ", filePolicy=" + filePolicy + ", maxChainDepth=" + maxChainDepth + ", chainMemoryLimit="
                + (chainMemoryLimit == DEFAULT_CHAIN_MEMORY ? "default" : chainMemoryLimit) + ", formatOptions="
                + formatOptions + "]";
    }

    /** Builds {@link OpenOptions}; starts from {@link #defaults()}. Not thread-safe. */
    public static final class Builder {
        private String format;
        private String snapshot;
        private boolean followBacking = true;
        private FilePolicy filePolicy = FilePolicy.allowAll();
        private int maxChainDepth = DEFAULT_MAX_CHAIN_DEPTH;
        private long chainMemoryLimit = DEFAULT_CHAIN_MEMORY;
        private final Map<FormatOption<?>, Object> formatOptions = new LinkedHashMap<>();

        private Builder() {
        }

        private Builder(OpenOptions options) {
            format = options.format;
            snapshot = options.snapshot;
            followBacking = options.followBacking;
            filePolicy = options.filePolicy;
            maxChainDepth = options.maxChainDepth;
            chainMemoryLimit = options.chainMemoryLimit;
            formatOptions.putAll(options.formatOptions);
        }

        /**
         * The format's provider name; null (the default) probes the file.
         *
         * @param format a provider's name, or null
         * @return this builder
         */
        public Builder format(String format) {
            this.format = format;
            return this;
        }

        /**
         * An internal snapshot's id or name, or null (the default) for the active disk.
         *
         * @param snapshot a snapshot's id or name, or null
         * @return this builder
         */
        public Builder snapshot(String snapshot) {
            this.snapshot = snapshot;
            return this;
        }

        /**
         * Whether to open backing files (the default) or read the image alone.
         *
         * @param followBacking false to read the image alone
         * @return this builder
         */
        public Builder followBacking(boolean followBacking) {
            this.followBacking = followBacking;
            return this;
        }

        /**
         * Which other files the chain may open; {@link FilePolicy#allowAll()} unless set.
         *
         * @param filePolicy the policy
         * @return this builder
         */
        public Builder filePolicy(FilePolicy filePolicy) {
            this.filePolicy = Objects.requireNonNull(filePolicy, "filePolicy");
            return this;
        }

        /**
         * At least 1 (the image alone).
         *
         * @param maxChainDepth the most images a chain may hold
         * @return this builder
         */
        public Builder maxChainDepth(int maxChainDepth) {
            if (maxChainDepth < 1) {
                throw new IllegalArgumentException("maxChainDepth must be at least 1: " + maxChainDepth);
            }
            this.maxChainDepth = maxChainDepth;
            return this;
        }

        /**
         * At least 0, or {@link #DEFAULT_CHAIN_MEMORY} for a quarter of the heap.
         *
         * @param chainMemoryLimit the most bytes of tables a chain may hold
         * @return this builder
         */
        public Builder chainMemoryLimit(long chainMemoryLimit) {
            if (chainMemoryLimit < 0 && chainMemoryLimit != DEFAULT_CHAIN_MEMORY) {
                throw new IllegalArgumentException("chainMemoryLimit must not be negative: " + chainMemoryLimit);
            }
            this.chainMemoryLimit = chainMemoryLimit;
            return this;
        }

        /**
         * Sets a format's own option; null removes it (its default applies).
         *
         * @param <T> the option's type
         * @param option the option
         * @param value its value, or null
         * @return this builder
         * @throws IllegalArgumentException when the option does not accept {@code value}
         */
        public <T> Builder set(FormatOption<T> option, T value) {
            if (value == null) {
                formatOptions.remove(option);
            } else {
                formatOptions.put(option, option.check(value));
            }
            return this;
        }

        /**
         * The options set so far.
         *
         * @return the options
         */
        public OpenOptions build() {
            return new OpenOptions(this);
        }
    }
}
