package io.qcow4j.testing;

import java.nio.ByteBuffer;

/** Bytes given as an array, the first at guest offset {@code origin}: copied in bulk, as large images need. */
record ArrayPattern(long origin, byte[] bytes) implements BytePattern {

    @Override
    public byte at(long offset) {
        return bytes[Math.toIntExact(offset - origin)];
    }

    @Override
    public void fill(ByteBuffer dst, long offset) {
        dst.put(bytes, Math.toIntExact(offset - origin), dst.remaining());
    }
}
