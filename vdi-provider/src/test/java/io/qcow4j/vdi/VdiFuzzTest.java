package io.qcow4j.vdi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.ImageFormats;
import io.qcow4j.testing.ImageExerciser;

/**
 * Fuzzes opening and reading whole VDI files, as {@code VhdFuzzTest} does VHDs; seeds (header versions 0 and 1.1,
 * dynamic, static and differencing, 4 KiB blocks, made by {@link VdiBuilder}) in
 * {@code src/test/resources/io/qcow4j/vdi/VdiFuzzTestInputs/openAndRead/}:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -pl vdi-provider -am test -Dtest=VdiFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=600
 * </pre>
 */
class VdiFuzzTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new VdiFormatProvider());

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "60s")
    void openAndRead(byte[] image) throws IOException {
        Path file = dir.resolve("input.vdi");
        Files.write(file, image);
        ImageExerciser.fuzzOne(FORMATS, file);
    }
}
