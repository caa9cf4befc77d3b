package io.qcow4j.qcow2.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.opentest4j.AssertionFailedError;

import io.qcow4j.FilePolicy;
import io.qcow4j.OpenOptions;
import io.qcow4j.testing.ImageExerciser;

/**
 * What happened when an image was opened and read: nothing (it is valid enough), or an {@link IOException} that says
 * what is wrong. Anything else (an unchecked exception, an error, a hang) fails the test that asked.
 */
public final class Outcome {

    /** The hang guard: opening and reading a few-KiB image takes milliseconds. */
    public static final Duration HANG_GUARD = Duration.ofSeconds(20);

    /** Safe mode: nothing but the image is opened, whatever its header says. */
    public static final OpenOptions SAFE = OpenOptions.builder().filePolicy(FilePolicy.refuseOtherFiles()).build();

    private Outcome() {
    }

    /** Exercises {@code image} in safe mode; returns the IOException it threw, or null when it read cleanly. */
    public static IOException of(Path image) {
        return of(image, SAFE);
    }

    public static IOException of(Path image, OpenOptions options) {
        return of(() -> ImageExerciser.exercise(image, options, ImageExerciser.TESTS), image.toString());
    }

    /** Runs {@code action} under the hang guard; returns its IOException (checked for a message), or null. */
    public static IOException of(IoAction action, String what) {
        return assertTimeoutPreemptively(HANG_GUARD, () -> {
            try {
                action.run();
                return null;
            } catch (IOException e) {
                assertThat(e.getMessage()).as("message of %s from %s", e.getClass().getName(), what).isNotBlank();
                return e;
            } catch (RuntimeException | Error e) {
                if (e instanceof AssertionFailedError) {
                    throw e;
                }
                throw new AssertionFailedError(what + ": an unchecked " + e + " escaped instead of an IOException", e);
            }
        }, () -> what + " hangs");
    }

    /** Exercises {@code image} in safe mode and returns the IOException it must throw. */
    public static IOException failure(Path image) {
        return failure(image, SAFE);
    }

    public static IOException failure(Path image, OpenOptions options) {
        IOException e = of(image, options);
        if (e == null) {
            throw new AssertionFailedError(image + " was opened and read without an error");
        }
        return e;
    }

    /** An action on an image that may fail with an IOException. */
    @FunctionalInterface
    public interface IoAction {
        void run() throws IOException;
    }
}
