package io.qcow4j.parallels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.ImageFormats;
import io.qcow4j.testing.ImageExerciser;

/**
 * Fuzzes opening and reading whole Parallels files; seeds (an extended header made by qemu-img and qemu-io, an older
 * one with sector offsets, a bundle's descriptor) in {@code src/test/resources/io/qcow4j/parallels/ParallelsFuzzTestInputs/openAndRead/}:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -pl parallels-provider -am test -Dtest=ParallelsFuzzTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=600
 * </pre>
 */
class ParallelsFuzzTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new ParallelsFormatProvider());

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "60s")
    void openAndRead(byte[] image) throws IOException {
        Path file = dir.resolve("input.hds");
        Files.write(file, image);
        ImageExerciser.fuzzOne(FORMATS, file);
    }
}
