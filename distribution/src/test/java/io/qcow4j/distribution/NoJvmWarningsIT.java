package io.qcow4j.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.distribution.Unpacked.Run;
import io.qcow4j.testing.Qemu;

/**
 * On the newest JDK the JVM warns about native access (JNI, jffi and zstd-jni) and sun.misc.Unsafe memory access
 * unless told they are allowed: the executable jar's manifest and the launcher say so, so that no warning reaches a
 * user. Skipped when that JDK is not installed, except in CI.
 */
class NoJvmWarningsIT {

    private static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    @TempDir
    Path dir;

    @Test
    void infoAndConvertOnJdk25PrintNothingOnStandardError() throws Exception {
        if (!Files.isExecutable(JDK_25.resolve("bin/java"))) {
            if (Qemu.inCi()) {
                fail(JDK_25 + " is not installed, and CI=true");
            }
            assumeTrue(false, JDK_25 + " is not installed: the JVM's warnings on JDK 25 are not checked");
        }
        Path unpacked = Unpacked.tarGz(Files.createDirectories(dir.resolve("opt")));
        String qcow2 = unpacked.resolve("bin/qcow2").toString();
        // twice each: the first run makes the class-data archive and copies the native libraries, the second uses them
        Map<String, String> env = Map.of("JAVA_HOME", JDK_25.toString(), "XDG_CACHE_HOME", dir.resolve("cache")
                .toString());
        for (int round = 0; round < 2; round++) {
            Run info = Unpacked.run(dir, env, qcow2, "info", Unpacked.SAMPLE.toString());
            assertThat(info.exit()).as(info.err()).isZero();
            assertThat(info.out()).contains("file format: qcow2");
            assertThat(info.err()).isEmpty();

            Path raw = dir.resolve("sample.raw");
            Run convert = Unpacked.run(dir, env, qcow2, "convert", Unpacked.SAMPLE.toString(), raw.toString());
            assertThat(convert.exit()).as(convert.err()).isZero();
            assertThat(convert.err()).isEmpty();
            assertThat(raw).hasSize(64L << 20);
            Files.delete(raw);
        }
    }

    @Test
    void theJarAloneRunsWithoutNativeAccessWarningsOnJdk25() throws Exception {
        // java -jar, no launcher: the manifest's Enable-Native-Access is what allows the native calls
        assumeTrue(Files.isExecutable(JDK_25.resolve("bin/java")) || Qemu.inCi(), JDK_25 + " is not installed");
        Path unpacked = Unpacked.tarGz(dir);
        Run info = Unpacked.run(dir, Map.of(), JDK_25.resolve("bin/java").toString(),
                "--sun-misc-unsafe-memory-access=allow", "-jar", unpacked.resolve("lib/qcow2.jar").toString(),
                "info", Unpacked.SAMPLE.toString());
        assertThat(info.exit()).as(info.err()).isZero();
        assertThat(info.err()).isEmpty();
    }
}
