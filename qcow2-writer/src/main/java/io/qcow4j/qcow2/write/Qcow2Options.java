package io.qcow4j.qcow2.write;

import java.util.Objects;
import java.util.Optional;

/**
 * The layout of a new qcow2 image: qemu-img's {@code -o} options of {@code create -f qcow2}, {@code convert -O qcow2}
 * and {@code measure -O qcow2}, with qemu-img's defaults. Immutable; made by a {@link Builder}, which checks the options
 * against each other as qemu-img does:
 * <pre>{@code
 * Qcow2Options options = Qcow2Options.builder().clusterSize(1 << 20).compressionType(CompressionType.ZSTD).build();
 * }</pre>
 */
public final class Qcow2Options {

    /** qemu-img's default cluster size. */
    public static final int DEFAULT_CLUSTER_SIZE = 64 << 10;
    /** The smallest cluster size qcow2 allows. */
    public static final int MIN_CLUSTER_SIZE = 512;
    /** The largest cluster size qcow2 allows. */
    public static final int MAX_CLUSTER_SIZE = 2 << 20;
    /** The smallest cluster size with extended L2 entries (32 subclusters of at least 512 bytes). */
    public static final int MIN_EXTENDED_L2_CLUSTER_SIZE = 16 << 10;

    private static final Qcow2Options DEFAULTS = builder().build();

    /** The image's version: qemu-img's {@code -o compat=}. */
    public enum Compat {
        /** Version 2, what QEMU before 1.1 reads. */
        V0_10("0.10"),
        /** Version 3, qemu-img's default. */
        V1_1("1.1");

        private final String optionName;

        Compat(String optionName) {
            this.optionName = optionName;
        }

        /**
         * The name qemu-img's {@code -o compat=} takes for it.
         *
         * @return {@code 0.10} or {@code 1.1}
         */
        public String optionName() {
            return optionName;
        }

        /**
         * The version qemu-img names so; {@code v2} and {@code v3} as qemu-img also accepts.
         *
         * @param name {@code 0.10}, {@code 1.1}, {@code v2} or {@code v3}
         * @return its version
         * @throws IllegalArgumentException for any other name
         */
        public static Compat ofOptionName(String name) {
            switch (name) {
                case "0.10":
                case "v2":
                    return V0_10;
                case "1.1":
                case "v3":
                    return V1_1;
                default:
                    throw new IllegalArgumentException("invalid compatibility level '" + name + "': 0.10 or 1.1");
            }
        }
    }

    private final int clusterSize;
    private final Compat compat;
    private final CompressionType compressionType;
    private final boolean extendedL2;
    private final boolean lazyRefcounts;
    private final int refcountBits;
    private final String backingFile;
    private final String backingFormat;

    private Qcow2Options(Builder builder) {
        this.clusterSize = builder.clusterSize;
        this.compat = builder.compat;
        this.compressionType = builder.compressionType;
        this.extendedL2 = builder.extendedL2;
        this.lazyRefcounts = builder.lazyRefcounts;
        this.refcountBits = builder.refcountBits;
        this.backingFile = builder.backingFile;
        this.backingFormat = builder.backingFormat;
    }

    /**
     * qemu-img's defaults: 64 KiB clusters, compat 1.1, zlib, no extended L2, no lazy refcounts, 16-bit refcounts,
     * no backing file.
     *
     * @return the default options
     */
    public static Qcow2Options defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from {@link #defaults()}.
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
     * Bytes per cluster: a power of two from {@link #MIN_CLUSTER_SIZE} to {@link #MAX_CLUSTER_SIZE}.
     *
     * @return the cluster size
     */
    public int clusterSize() {
        return clusterSize;
    }

    /**
     * The image's version.
     *
     * @return compat 0.10 (version 2) or 1.1 (version 3)
     */
    public Compat compat() {
        return compat;
    }

    /**
     * How compressed clusters are compressed.
     *
     * @return zlib or zstd
     */
    public CompressionType compressionType() {
        return compressionType;
    }

    /**
     * Whether L2 entries are extended, with 32 subclusters per cluster (qemu-img's {@code extended_l2=on}).
     *
     * @return true for extended L2 entries
     */
    public boolean extendedL2() {
        return extendedL2;
    }

    /**
     * Whether the image sets the lazy refcounts compatible feature bit (qemu-img's {@code lazy_refcounts=on}).
     *
     * @return true for lazy refcounts
     */
    public boolean lazyRefcounts() {
        return lazyRefcounts;
    }

    /**
     * Bits per refcount: a power of two from 1 to 64; other than 16 needs compat 1.1.
     *
     * @return the refcount width
     */
    public int refcountBits() {
        return refcountBits;
    }

    /**
     * The backing file's name as stored in the header, exactly as given (a relative name stays relative to the new
     * image), as qemu-img's {@code -b}.
     *
     * @return the backing file's name, or empty for an image without one
     */
    public Optional<String> backingFile() {
        return Optional.ofNullable(backingFile);
    }

    /**
     * The backing file's format as stored in the header extension, as qemu-img's {@code -F}.
     *
     * @return the format name, or empty when none is recorded
     */
    public Optional<String> backingFormat() {
        return Optional.ofNullable(backingFormat);
    }

    /** Builds {@link Qcow2Options}; every setter checks its own limits, {@link #build()} the combination. */
    public static final class Builder {

        private int clusterSize = DEFAULT_CLUSTER_SIZE;
        private Compat compat = Compat.V1_1;
        private CompressionType compressionType = CompressionType.ZLIB;
        private boolean extendedL2;
        private boolean lazyRefcounts;
        private int refcountBits = 16;
        private String backingFile;
        private String backingFormat;

        private Builder() {
        }

        private Builder(Qcow2Options options) {
            this.clusterSize = options.clusterSize;
            this.compat = options.compat;
            this.compressionType = options.compressionType;
            this.extendedL2 = options.extendedL2;
            this.lazyRefcounts = options.lazyRefcounts;
            this.refcountBits = options.refcountBits;
            this.backingFile = options.backingFile;
            this.backingFormat = options.backingFormat;
        }

        /**
         * Sets the cluster size (qemu-img's {@code -o cluster_size=}).
         *
         * @param bytes a power of two from {@link #MIN_CLUSTER_SIZE} to {@link #MAX_CLUSTER_SIZE}
         * @return this builder
         * @throws IllegalArgumentException for any other size
         */
        public Builder clusterSize(int bytes) {
            if (bytes < MIN_CLUSTER_SIZE || bytes > MAX_CLUSTER_SIZE || Integer.bitCount(bytes) != 1) {
                throw new IllegalArgumentException("Cluster size must be a power of two between 512 and 2048k");
            }
            this.clusterSize = bytes;
            return this;
        }

        /**
         * Sets the image's version (qemu-img's {@code -o compat=}).
         *
         * @param compat the version
         * @return this builder
         */
        public Builder compat(Compat compat) {
            this.compat = Objects.requireNonNull(compat, "compat");
            return this;
        }

        /**
         * Sets the compression type (qemu-img's {@code -o compression_type=}).
         *
         * @param type zlib or zstd
         * @return this builder
         */
        public Builder compressionType(CompressionType type) {
            this.compressionType = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * Sets whether L2 entries are extended (qemu-img's {@code -o extended_l2=}).
         *
         * @param on true for 32 subclusters per cluster
         * @return this builder
         */
        public Builder extendedL2(boolean on) {
            this.extendedL2 = on;
            return this;
        }

        /**
         * Sets whether refcounts are lazy (qemu-img's {@code -o lazy_refcounts=}).
         *
         * @param on true to set the lazy refcounts bit
         * @return this builder
         */
        public Builder lazyRefcounts(boolean on) {
            this.lazyRefcounts = on;
            return this;
        }

        /**
         * Sets the refcount width (qemu-img's {@code -o refcount_bits=}).
         *
         * @param bits a power of two from 1 to 64
         * @return this builder
         * @throws IllegalArgumentException for any other width
         */
        public Builder refcountBits(int bits) {
            if (bits < 1 || bits > 64 || Integer.bitCount(bits) != 1) {
                throw new IllegalArgumentException("Refcount width must be a power of two and may not exceed 64 "
                        + "bits");
            }
            this.refcountBits = bits;
            return this;
        }

        /**
         * Sets the backing file's name, stored as given (qemu-img's {@code -b}).
         *
         * @param name the name; null for none
         * @return this builder
         */
        public Builder backingFile(String name) {
            this.backingFile = name;
            return this;
        }

        /**
         * Sets the backing file's format, stored in a header extension (qemu-img's {@code -F}).
         *
         * @param format the format name, such as {@code qcow2} or {@code raw}; null for none
         * @return this builder
         */
        public Builder backingFormat(String format) {
            this.backingFormat = format;
            return this;
        }

        /**
         * Checks the combination as qemu-img does and builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException when the options do not go together, with qemu-img's reason
         */
        public Qcow2Options build() {
            if (compat == Compat.V0_10) {
                if (compressionType != CompressionType.ZLIB) {
                    throw new IllegalArgumentException("Non-zlib compression type is only supported with "
                            + "compatibility level 1.1 and above (use version=v3 or greater)");
                }
                if (extendedL2) {
                    throw new IllegalArgumentException("Extended L2 entries are only supported with compatibility "
                            + "level 1.1 and above (use version=v3 or greater)");
                }
                if (lazyRefcounts) {
                    throw new IllegalArgumentException("Lazy refcounts only supported with compatibility level "
                            + "1.1 and above (use version=v3 or greater)");
                }
                if (refcountBits != 16) {
                    throw new IllegalArgumentException("Different refcount widths than 16 bits require "
                            + "compatibility level 1.1 or above (use version=v3 or greater)");
                }
            }
            if (extendedL2 && clusterSize < MIN_EXTENDED_L2_CLUSTER_SIZE) {
                throw new IllegalArgumentException("Extended L2 entries are only supported with cluster sizes of "
                        + "at least 16384 bytes");
            }
            if (backingFormat != null && backingFile == null) {
                throw new IllegalArgumentException("Backing format cannot be used without backing file");
            }
            return new Qcow2Options(this);
        }
    }
}
