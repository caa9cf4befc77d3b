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
        assertThat(options.validate()).isSameAs(options);
    }

    @Test
    void withersChangeOneField() {
        ProgressListener listener = (done, total) -> { };
        ConvertOptions options = ConvertOptions.defaults().withWorkers(3).withSegmentSize(3 << 20)
                .withBufferSize(1 << 20).withSparseSize(0).withSync(true).withOverwriteExisting(true)
                .withProgress(listener);
        assertThat(options).isEqualTo(new ConvertOptions(3, 3 << 20, 1 << 20, 0, true, true, listener));
        assertThat(options.validate()).isSameAs(options);
    }

    @Test
    void workersOutOfRange() {
        assertThatThrownBy(() -> ConvertOptions.defaults().withWorkers(0).validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("workers must be between 1 and 64: 0");
        assertThatThrownBy(() -> ConvertOptions.defaults().withWorkers(65).validate())
                .hasMessage("workers must be between 1 and 64: 65");
    }

    @Test
    void bufferSizeMustBeSectorsWithinLimits() {
        assertThatThrownBy(() -> ConvertOptions.defaults().withBufferSize(1000).validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bufferSize must be a multiple of 512 between 512 and 67108864: 1000");
        assertThatThrownBy(() -> ConvertOptions.defaults().withBufferSize(0).validate())
                .hasMessageContaining("bufferSize").hasMessageEndingWith(": 0");
        assertThatThrownBy(() -> ConvertOptions.defaults().withBufferSize(128 << 20).validate())
                .hasMessageEndingWith(": 134217728");
    }

    @Test
    void segmentSizeMustBeAMultipleOfBufferSize() {
        assertThatThrownBy(() -> ConvertOptions.defaults().withSegmentSize(3 << 20).validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("segmentSize must be a positive multiple of bufferSize (2097152): 3145728");
        assertThatThrownBy(() -> ConvertOptions.defaults().withSegmentSize(0).validate())
                .hasMessageEndingWith(": 0");
        assertThatThrownBy(() -> ConvertOptions.defaults().withSegmentSize(-(2 << 20)).validate())
                .hasMessageStartingWith("segmentSize");
    }

    @Test
    void sparseSizeIsZeroOrSectorsUpToTheBuffer() {
        assertThatThrownBy(() -> ConvertOptions.defaults().withSparseSize(1000).validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sparseSize must be 0 (no zero detection) or a multiple of 512 up to 16777216: 1000");
        assertThatThrownBy(() -> ConvertOptions.defaults().withSparseSize(-512).validate())
                .hasMessageEndingWith(": -512");
        assertThatThrownBy(() -> ConvertOptions.defaults().withSparseSize(4 << 20).validate())
                .hasMessage("sparseSize must not exceed bufferSize (2097152): 4194304");
        assertThat(ConvertOptions.defaults().withSparseSize(0).validate().sparseSize()).isZero();
        assertThat(ConvertOptions.defaults().withSparseSize(512).validate().sparseSize()).isEqualTo(512);
    }

    @Test
    void progressMustNotBeNull() {
        assertThatThrownBy(() -> ConvertOptions.defaults().withProgress(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("progress");
    }
}
