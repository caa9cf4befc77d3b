package io.qcow4j.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConvertOptionsTest {

    @Test
    void defaultsAreOneWorkerPerCoreAndQemuImgsSizesAndValid() {
        ConvertOptions options = ConvertOptions.defaults();
        assertThat(options.workers()).isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
        assertThat(options.segmentSize()).isEqualTo(32L << 20);
        assertThat(options.bufferSize()).isEqualTo(2 << 20);
        assertThat(options.sparseSize()).isEqualTo(4096);
        assertThat(options.sync()).isFalse();
        assertThat(options.overwriteExisting()).isFalse();
        assertThat(options.progress()).isSameAs(ProgressListener.NONE);
        assertThat(options).isEqualTo(ConvertOptions.builder().build());
    }

    @Test
    void theBuilderSetsEachField() {
        ProgressListener listener = (done, total) -> { };
        ConvertOptions options = ConvertOptions.builder().workers(3).segmentSize(3 << 20).bufferSize(1 << 20)
                .sparseSize(0).sync(true).overwriteExisting(true).progress(listener).build();
        assertThat(options).extracting(ConvertOptions::workers, ConvertOptions::segmentSize,
                ConvertOptions::bufferSize, ConvertOptions::sparseSize, ConvertOptions::sync,
                ConvertOptions::overwriteExisting, ConvertOptions::progress)
                .containsExactly(3, 3L << 20, 1 << 20, 0, true, true, listener);
        assertThat(options.toBuilder().build()).isEqualTo(options);
        assertThat(options.toBuilder().workers(4).build()).isNotEqualTo(options)
                .extracting(ConvertOptions::segmentSize).isEqualTo(3L << 20);
    }

    @Test
    void workersOutOfRange() {
        assertThatThrownBy(() -> ConvertOptions.builder().workers(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("workers must be between 1 and 64: 0");
        assertThatThrownBy(() -> ConvertOptions.builder().workers(65).build())
                .hasMessage("workers must be between 1 and 64: 65");
    }

    @Test
    void bufferSizeMustBeSectorsWithinLimits() {
        assertThatThrownBy(() -> ConvertOptions.builder().bufferSize(1000).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bufferSize must be a multiple of 512 between 512 and 67108864: 1000");
        assertThatThrownBy(() -> ConvertOptions.builder().bufferSize(0).build())
                .hasMessageContaining("bufferSize").hasMessageEndingWith(": 0");
        assertThatThrownBy(() -> ConvertOptions.builder().bufferSize(128 << 20).build())
                .hasMessageEndingWith(": 134217728");
    }

    @Test
    void segmentSizeMustBeAMultipleOfBufferSize() {
        assertThatThrownBy(() -> ConvertOptions.builder().segmentSize(3 << 20).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("segmentSize must be a positive multiple of bufferSize (2097152): 3145728");
        assertThatThrownBy(() -> ConvertOptions.builder().segmentSize(0).build())
                .hasMessageEndingWith(": 0");
        assertThatThrownBy(() -> ConvertOptions.builder().segmentSize(-(2 << 20)).build())
                .hasMessageStartingWith("segmentSize");
    }

    @Test
    void sparseSizeIsZeroOrSectorsUpToTheBuffer() {
        assertThatThrownBy(() -> ConvertOptions.builder().sparseSize(1000).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sparseSize must be 0 (no zero detection) or a multiple of 512 up to 16777216: 1000");
        assertThatThrownBy(() -> ConvertOptions.builder().sparseSize(-512).build())
                .hasMessageEndingWith(": -512");
        assertThatThrownBy(() -> ConvertOptions.builder().sparseSize(4 << 20).build())
                .hasMessage("sparseSize must not exceed bufferSize (2097152): 4194304");
        assertThat(ConvertOptions.builder().sparseSize(0).build().sparseSize()).isZero();
        assertThat(ConvertOptions.builder().sparseSize(512).build().sparseSize()).isEqualTo(512);
    }

    @Test
    void progressMustNotBeNull() {
        assertThatThrownBy(() -> ConvertOptions.builder().progress(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("progress");
    }
}
