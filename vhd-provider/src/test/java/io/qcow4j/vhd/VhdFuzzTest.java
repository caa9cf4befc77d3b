package io.qcow4j.vhd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.ImageFormats;
import io.qcow4j.testing.ImageExerciser;

/**
 * Fuzzes opening and reading whole VHD files with Jazzer: only an {@link IOException} with a message may come out;
 * an unchecked exception, an error (an {@link OutOfMemoryError} under the module's 256 MiB test heap among them), a
 * broken API contract or a hang is a finding. A plain test run replays the seeds in
 * {@code src/test/resources/io/qcow4j/vhd/VhdFuzzTestInputs/openAndRead/} (small dynamic, differencing and fixed
 * disks of 4 KiB blocks, made by {@link VhdBuilder}) and past findings; {@code JAZZER_FUZZ=1} fuzzes:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -pl vhd-provider -am test -Dtest=VhdFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=600
 * </pre>
 */
class VhdFuzzTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new VhdFormatProvider());

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "60s")
    void openAndRead(byte[] image) throws IOException {
        Path file = dir.resolve("input.vhd");
        Files.write(file, image);
        ImageExerciser.fuzzOne(FORMATS, file);
    }
}
