package io.qcow4j.qcow2.hostile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.ImageExerciser;

/**
 * Fuzzes opening and reading whole images with Jazzer. Any bytes may come in; the only allowed failure is an
 * {@link IOException} with a message. An unchecked exception, an error (an {@link OutOfMemoryError} under the
 * module's 256 MiB test heap among them), a broken API contract (see {@link ImageExerciser}) or a hang is a finding.
 *
 * <p>In a plain test run this replays the seeds (small qemu-img-made images of every feature, made by
 * {@code src/test/resources/io/qcow4j/qcow2/hostile/make-fuzz-seeds.sh}) and past findings in
 * {@code src/test/resources/io/qcow4j/qcow2/hostile/Qcow2FuzzTestInputs/openAndRead/}. {@code JAZZER_FUZZ=1} fuzzes
 * instead (and turns on the module's {@code fuzz} profile, which gives Jazzer its coverage hooks), for
 * {@code maxDuration} or as long as the last {@code -max_total_time} passed says:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -pl qcow2-provider test -Dtest=Qcow2FuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=1800
 * </pre>
 * A finding is saved in that inputs directory (commit it: it then replays in every plain run) and fails the run; the
 * generated corpus grows in {@code qcow2-provider/.cifuzz-corpus/}, which is not committed.
 */
class Qcow2FuzzTest {

    /** Safe mode: a fuzzed header may name any host file as a backing or data file. */
    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "60s")
    void openAndRead(byte[] image) throws IOException {
        Path file = dir.resolve("input.qcow2");
        Files.write(file, image);
        ImageExerciser.fuzzOne(file);
    }
}
