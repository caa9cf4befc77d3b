package io.qcow4j.qcow2;

/** The compression_type header field; names as {@code qemu-img info} prints them. */
enum CompressionType {
    DEFLATE("zlib"),
    ZSTD("zstd");

    private final String qemuName;

    CompressionType(String qemuName) {
        this.qemuName = qemuName;
    }

    String qemuName() {
        return qemuName;
    }
}
