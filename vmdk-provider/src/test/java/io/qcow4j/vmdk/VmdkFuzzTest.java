package io.qcow4j.vmdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.FilePolicy;
import io.qcow4j.OpenOptions;
import io.qcow4j.testing.ImageExerciser;

/**
 * Fuzzes opening and reading whole VMDK files with Jazzer. Any bytes may come in; the only allowed failure is an
 * {@link IOException} with a message. An unchecked exception, an error (an {@link OutOfMemoryError} under the
 * module's 256 MiB test heap among them), a broken API contract (see {@link ImageExerciser}) or a hang is a finding.
 *
 * <p>The file is {@code input.vmdk}, alone in its directory, opened with the policy that opens only files beside the
 * image: a descriptor may name the file itself as an extent (the seeds do), never a file elsewhere.
 *
 * <p>A plain test run replays the seeds (small files of every layout, made by {@link FuzzSeeds}) and past findings in
 * {@code src/test/resources/io/qcow4j/vmdk/VmdkFuzzTestInputs/openAndRead/}. {@code JAZZER_FUZZ=1} fuzzes instead:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -pl vmdk-provider -am test -Dtest=VmdkFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=1800
 * </pre>
 * A finding is saved in that inputs directory (commit it: it then replays in every plain run).
 */
class VmdkFuzzTest {

    static final OpenOptions BESIDE = OpenOptions.builder().filePolicy(FilePolicy.besideImage()).build();

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "60s")
    void openAndRead(byte[] image) throws IOException {
        Path file = dir.resolve("input.vmdk");
        Files.write(file, image);
        exercise(file);
    }

    /** Only an {@link IOException} with a message may come out. */
    static void exercise(Path file) {
        try {
            ImageExerciser.exercise(file, BESIDE, ImageExerciser.FUZZ);
        } catch (IOException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("an " + e.getClass().getName() + " without a message", e);
            }
        }
    }
}
