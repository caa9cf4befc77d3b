package io.qcow4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BlockStatusTest {

    @Test
    void blockStatusRejectsInvalidRuns() {
        assertThatThrownBy(() -> new BlockStatus(0, 0, Allocation.DATA, false, 0, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new BlockStatus(0, 1, Allocation.ZERO, false, 0, -1).readsAsZero()).isTrue();
        assertThat(new BlockStatus(0, 1, Allocation.UNALLOCATED, false, 0, -1).readsAsZero()).isTrue();
        assertThat(new BlockStatus(0, 1, Allocation.DATA, true, 0, -1).readsAsZero()).isFalse();
    }

    @Test
    void aRunOneLevelDeeperKeepsEverythingButItsDepth() {
        BlockStatus run = new BlockStatus(4096, 512, Allocation.DATA, true, 1, 8192);
        assertThat(run.deeper()).isEqualTo(new BlockStatus(4096, 512, Allocation.DATA, true, 2, 8192));
        assertThat(run.end()).isEqualTo(4608);
    }
}
