package io.qcow4j.qcow2;

import java.nio.ByteBuffer;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageException;

/**
 * Decompresses one compressed cluster. An instance keeps codec state and is used by one thread at a time.
 */
interface ClusterDecompressor {

    /**
     * Decompresses {@code src} (between position and limit; may carry trailing bytes of the next cluster) until
     * {@code dst} is full.
     *
     * @throws CorruptImageException when the data is invalid or ends before {@code dst} is full
     * @throws ImageException another kind, such as {@link io.qcow4j.UnsupportedFeatureException} where the codec's
     *         native library cannot be loaded
     */
    void decompress(ByteBuffer src, ByteBuffer dst) throws ImageException;
}
