package io.qcow4j.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ZeroDetectorTest {

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();

    /** Runs as "Z:start-end" or "D:start-end", found the way the worker walks a buffer. */
    private static List<String> runs(ByteBuffer buffer, int granularity, long guest) {
        return runs(new ZeroDetector(granularity, ZEROS), buffer, guest);
    }

    private static List<String> runs(ZeroDetector detector, ByteBuffer buffer, long guest) {
        List<String> runs = new ArrayList<>();
        int at = 0;
        while (at < buffer.limit()) {
            boolean zero = detector.startsZero(buffer, at, guest);
            int end = zero ? detector.zeroRunEnd(buffer, at, guest) : detector.dataRunEnd(buffer, at, guest);
            assertThat(end).isGreaterThan(at);
            runs.add((zero ? "Z:" : "D:") + at + "-" + end);
            at = end;
        }
        return runs;
    }

    private static ByteBuffer buffer(int length, int... nonZeroAt) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(length);
        for (int i : nonZeroAt) {
            buffer.put(i, (byte) 1);
        }
        return buffer;
    }

    @Test
    void allZeroIsOneRun() {
        assertThat(runs(buffer(16384), 4096, 0)).containsExactly("Z:0-16384");
    }

    @Test
    void blocksWithAnyByteSetAreData() {
        assertThat(runs(buffer(20480, 4095, 4096, 16384), 4096, 0))
                .containsExactly("D:0-8192", "Z:8192-16384", "D:16384-20480");
    }

    @Test
    void blocksAlignToGuestOffsetsNotToTheBuffer() {
        // the buffer starts 1000 bytes before a block boundary: the first, partial block stands alone
        assertThat(runs(buffer(1000 + 8192 + 500, 1000 + 4095, 1000 + 4096), 4096, 4096 * 7 - 1000))
                .containsExactly("Z:0-1000", "D:1000-9192", "Z:9192-9692");
    }

    @Test
    void zeroRunShorterThanABlockIsData() {
        ByteBuffer buffer = buffer(8192);
        for (int i = 0; i < 8192; i++) {
            buffer.put(i, (byte) (i >= 100 && i < 4000 ? 0 : 7));
        }
        assertThat(runs(buffer, 4096, 0)).containsExactly("D:0-8192");
        assertThat(runs(buffer, 512, 0)).containsExactly("D:0-512", "Z:512-3584", "D:3584-8192");
    }

    @Test
    void aLimitBelowTheCapacityEndsTheLastRun() {
        ByteBuffer buffer = buffer(16384, 12000);
        buffer.limit(10000);
        assertThat(runs(buffer, 4096, 0)).containsExactly("Z:0-10000");
    }

    @Test
    void oneDetectorScansBuffersInTurnAndLeavesThemAsTheyWere() {
        // the detector keeps a view of the buffer it last scanned: a different buffer must not be read through it
        ZeroDetector detector = new ZeroDetector(4096, ZEROS);
        ByteBuffer first = buffer(16384, 5000);
        ByteBuffer second = buffer(16384, 13000);
        second.position(123);
        for (int round = 0; round < 2; round++) {
            assertThat(runs(detector, first, 0)).containsExactly("Z:0-4096", "D:4096-8192", "Z:8192-16384");
            assertThat(runs(detector, second, 0)).containsExactly("Z:0-12288", "D:12288-16384");
        }
        second.put(100, (byte) 9);
        assertThat(runs(detector, second, 0)).containsExactly("D:0-4096", "Z:4096-12288", "D:12288-16384");
        assertThat(second.position()).isEqualTo(123);
        assertThat(second.limit()).isEqualTo(16384);
        assertThat(first.position()).isZero();
    }
}
