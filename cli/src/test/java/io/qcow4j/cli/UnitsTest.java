package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import picocli.CommandLine.TypeConversionException;

/** Sizes in, sizes out, and the progress line. */
class UnitsTest {

    @Test
    void sizesTakeSuffixes() {
        assertThat(SizeConverter.parse("4096")).isEqualTo(4096);
        assertThat(SizeConverter.parse("64k")).isEqualTo(65536);
        assertThat(SizeConverter.parse("64K")).isEqualTo(65536);
        assertThat(SizeConverter.parse("2M")).isEqualTo(2 << 20);
        assertThat(SizeConverter.parse("1G")).isEqualTo(1L << 30);
        assertThat(SizeConverter.parse("3t")).isEqualTo(3L << 40);
        assertThat(SizeConverter.parse("2P")).isEqualTo(2L << 50);
        assertThat(SizeConverter.parse("7E")).isEqualTo(7L << 60);
        for (String bad : new String[] {"", "K", "-1", "1.5M", "12Q", "99999999999T", "8E"}) {
            assertThatThrownBy(() -> SizeConverter.parse(bad)).as(bad).isInstanceOf(TypeConversionException.class);
        }
    }

    @Test
    void humanSizesAsQemuImgPrintsThem() {
        assertThat(HumanSize.of(0)).isEqualTo("0 B");
        assertThat(HumanSize.of(999)).isEqualTo("999 B");
        assertThat(HumanSize.of(1000)).isEqualTo("0.977 KiB");
        assertThat(HumanSize.of(143360)).isEqualTo("140 KiB");
        assertThat(HumanSize.of(1314816)).isEqualTo("1.25 MiB");
        assertThat(HumanSize.of(64L << 20)).isEqualTo("64 MiB");
        assertThat(HumanSize.of(1L << 30)).isEqualTo("1 GiB");
        assertThat(HumanSize.of(1023L << 20)).isEqualTo("0.999 GiB");
    }

    @Test
    void progressLine() {
        assertThat(ProgressBar.line(0, 100 << 20, 0)).isEqualTo("  0% [------------------------] 0 B / 100 MiB, 0 B/s, --:-- left");
        assertThat(ProgressBar.line(25 << 20, 100 << 20, 1_000_000_000L))
                .isEqualTo(" 25% [######------------------] 25 MiB / 100 MiB, 25 MiB/s, 0:03 left");
        assertThat(ProgressBar.line(100 << 20, 100 << 20, 2_000_000_000L))
                .isEqualTo("100% [########################] 100 MiB / 100 MiB, 50 MiB/s, 0:00 left");
        assertThat(ProgressBar.line(1, 7201, 1_000_000_000L)).endsWith("1 B/s, 2:00:00 left");
    }

    @Test
    void aProgressBarLeftOpenIsEndedOnceAndOnlyIfDrawn() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(err, true, StandardCharsets.UTF_8),
                () -> 0L);
        bar.endLine();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        bar.progress(1 << 20, 4 << 20);
        bar.endLine();
        bar.endLine();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("\r" + ProgressBar.line(1 << 20, 4 << 20, 0) + "\n");
    }
}
