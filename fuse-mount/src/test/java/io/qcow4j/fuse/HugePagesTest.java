package io.qcow4j.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HugePagesTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 65536, (2 << 20) - 1, 2 << 20, (2 << 20) + 1, 136 * 65536, 24 << 20})
    void aBufferHasTheSizeAskedForIsZeroedAndWholeHugePagesStartOnOne(int length) {
        ByteBuffer buffer = HugePages.allocate(length);
        assertThat(buffer.isDirect()).isTrue();
        assertThat(buffer.position()).isZero();
        assertThat(buffer.capacity()).isEqualTo(length);
        assertThat(buffer.limit()).isEqualTo(length);
        long address = MemoryIO.getInstance().getDirectBufferAddress(buffer);
        if (length >= HugePages.SIZE) {
            assertThat(address % HugePages.SIZE).isZero();
        }
        for (int at = 0; at < length; at += 4096) {
            assertThat(buffer.get(at)).isZero();
        }
        assertThat(buffer.get(length - 1)).isZero();
        // every byte writable, the last one included
        buffer.put(length - 1, (byte) 7);
        assertThat(buffer.get(length - 1)).isEqualTo((byte) 7);
    }
}
