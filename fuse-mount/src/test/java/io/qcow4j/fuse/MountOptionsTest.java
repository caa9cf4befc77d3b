package io.qcow4j.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class MountOptionsTest {

    @Test
    void defaultsNameTheFileAfterTheImageAndShareNothing() {
        MountOptions defaults = MountOptions.defaults();
        assertThat(defaults.fileName()).isEmpty();
        assertThat(defaults.allowOther()).isFalse();
        assertThat(defaults.debug()).isFalse();
        assertThat(defaults.pageCache()).isFalse();
        assertThat(defaults).isEqualTo(MountOptions.builder().build());
        assertThat(defaults.fileNameFor(Path.of("/images/ubuntu.qcow2"))).isEqualTo("ubuntu.raw");
        assertThat(MountOptions.defaultFileName(Path.of("disk"))).isEqualTo("disk.raw");
        assertThat(MountOptions.defaultFileName(Path.of("a.b.vmdk"))).isEqualTo("a.b.raw");
        assertThat(MountOptions.defaultFileName(Path.of(".hidden"))).isEqualTo(".hidden.raw");
    }

    @Test
    void theBuilderSetsEachOptionAndToBuilderChangesACopy() {
        MountOptions options = MountOptions.builder().fileName("d.raw").allowOther(true).debug(true).pageCache(true)
                .build();
        assertThat(options.fileName()).contains("d.raw");
        assertThat(options.fileNameFor(Path.of("ubuntu.qcow2"))).isEqualTo("d.raw");
        assertThat(options.allowOther()).isTrue();
        assertThat(options.debug()).isTrue();
        assertThat(options.pageCache()).isTrue();
        assertThat(options.toString())
                .isEqualTo("MountOptions[fileName=d.raw, allowOther=true, debug=true, pageCache=true]");

        MountOptions changed = options.toBuilder().fileName(null).debug(false).build();
        assertThat(changed).isEqualTo(MountOptions.builder().allowOther(true).pageCache(true).build())
                .hasSameHashCodeAs(MountOptions.builder().allowOther(true).pageCache(true).build())
                .isNotEqualTo(options);
        assertThat(options.fileName()).contains("d.raw");
        assertThat(options.toBuilder().build()).isEqualTo(options).hasSameHashCodeAs(options);
    }

    @Test
    void aFileNameIsOnePathComponent() {
        for (String bad : new String[] {"", ".", "..", "a/b", "/x", "nul\0"}) {
            assertThatThrownBy(() -> MountOptions.builder().fileName(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid file name '" + bad + "': it must be a single path component, not empty,"
                            + " '.' or '..'");
        }
        assertThat(MountOptions.builder().fileName("..raw").build().fileName()).contains("..raw");
    }
}
