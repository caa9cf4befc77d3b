package io.qcow4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OpenOptionsTest {

    /** A provider's option as the qcow2 provider defines its own. */
    private static final FormatOption<Long> L2 = FormatOption.of("qcow2", "l2-cache-size", Long.class, 8L << 20,
            bytes -> bytes >= 0, "of at least 0");

    @Test
    void openOptionsDefaultsAndBuilder() {
        OpenOptions defaults = OpenOptions.defaults();
        assertThat(defaults.format()).isEmpty();
        assertThat(defaults.snapshot()).isEmpty();
        assertThat(defaults.followBacking()).isTrue();
        assertThat(defaults.filePolicy()).isEqualTo(FilePolicy.allowAll());
        assertThat(defaults.maxChainDepth()).isEqualTo(256);
        assertThat(defaults.chainMemoryLimit()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
        OpenOptions changed = defaults.toBuilder().filePolicy(FilePolicy.refuseOtherFiles()).format("qcow2")
                .snapshot("s1").set(L2, 1024L).build();
        assertThat(changed).isEqualTo(OpenOptions.builder().format("qcow2").snapshot("s1").set(L2, 1024L)
                .filePolicy(FilePolicy.refuseOtherFiles()).build());
        assertThat(changed.get(L2)).isEqualTo(1024L);
        assertThat(defaults.get(L2)).isEqualTo(8L << 20);
        assertThat(changed.toBuilder().followBacking(false).build().followBacking()).isFalse();
        assertThat(changed.toBuilder().set(L2, null).build().formatOptions()).isEmpty();
        assertThatThrownBy(() -> OpenOptions.builder().set(L2, -1L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid value -1 for the qcow2.l2-cache-size option: expected Long of at least 0");
        assertThatThrownBy(() -> OpenOptions.builder().maxChainDepth(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OpenOptions.builder().chainMemoryLimit(-2))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
