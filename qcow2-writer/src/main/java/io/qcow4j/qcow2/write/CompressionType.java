package io.qcow4j.qcow2.write;

/** How a new qcow2 image compresses its compressed clusters: qemu-img's {@code -o compression_type=}. */
public enum CompressionType {
    /** Raw deflate, the only type before qcow2 1.1 added the header's compression type field. */
    ZLIB("zlib"),
    /** Zstandard; needs compat 1.1 and sets the image's compression type incompatible feature bit. */
    ZSTD("zstd");

    private final String optionName;

    CompressionType(String optionName) {
        this.optionName = optionName;
    }

    /**
     * The name qemu-img's {@code -o compression_type=} takes for it.
     *
     * @return {@code zlib} or {@code zstd}
     */
    public String optionName() {
        return optionName;
    }

    /**
     * The type qemu-img names so.
     *
     * @param name {@code zlib} or {@code zstd}
     * @return its type
     * @throws IllegalArgumentException for any other name
     */
    public static CompressionType ofOptionName(String name) {
        for (CompressionType type : values()) {
            if (type.optionName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown compression type '" + name + "': zlib or zstd");
    }
}
