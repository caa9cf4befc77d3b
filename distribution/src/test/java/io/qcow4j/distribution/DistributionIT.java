package io.qcow4j.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.distribution.Unpacked.Run;
import io.qcow4j.testing.Qemu;

/**
 * The archive as a user meets it: unpacked into an empty directory outside the repository, run with a JDK and nothing
 * else (a Maven on the PATH fails loudly if called), it answers info and converts the sample as qemu-img does, and
 * writes nothing beside itself.
 */
class DistributionIT {

    @TempDir
    Path dir;

    @Test
    void unpackedElsewhereItRunsInfoAndConvertWithoutMavenAndWritesNothingBesideItself() throws Exception {
        Qemu.require("qemu-img");
        Path unpacked = Unpacked.tarGz(Files.createDirectories(dir.resolve("opt")));
        List<String> before = Unpacked.files(unpacked);
        assertThat(before).contains("bin/qcow2", "bin/mount-qcow2", "lib/qcow2.jar", "LICENSE", "NOTICE",
                "licenses/THIRD-PARTY.txt", "completion/qcow2.bash", "man/man1/qcow2.1",
                "man/man1/qcow2-convert.1", "sample/sample.qcow2");
        assertThat(unpacked.resolve("bin/qcow2")).isExecutable();

        Path fakeBin = Files.createDirectories(dir.resolve("fake-bin"));
        Path mavenCalls = dir.resolve("mvn-calls");
        Files.writeString(fakeBin.resolve("mvn"), "#!/bin/sh\necho \"$0 $*\" >> " + mavenCalls + "\n"
                + "echo 'mvn: called by the distribution, which must not need Maven' >&2\nexit 97\n");
        Files.setPosixFilePermissions(fakeBin.resolve("mvn"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.copy(Unpacked.SAMPLE, work.resolve("sample.qcow2"));
        Files.copy(Unpacked.SAMPLE_BASE, work.resolve("base.qcow2"));
        Path home = Files.createDirectories(dir.resolve("home"));
        Map<String, String> env = Map.of("PATH", fakeBin + File.pathSeparator + System.getenv("PATH"),
                "HOME", home.toString(), "XDG_CACHE_HOME", "");
        String qcow2 = unpacked.resolve("bin/qcow2").toString();

        Run info = Unpacked.run(work, env, qcow2, "info", "sample.qcow2");
        assertThat(info.exit()).as(info.err()).isZero();
        assertThat(info.err()).isEmpty();
        assertThat(info.out()).startsWith("image: sample.qcow2\nfile format: qcow2\n"
                + "virtual size: 64 MiB (67108864 bytes)\n").contains("\nbacking file: base.qcow2\n")
                .isEqualTo(Unpacked.run(work, Map.of(), "qemu-img", "info", "sample.qcow2").out());

        Run convert = Unpacked.run(work, env, qcow2, "convert", "sample.qcow2", "ours.raw");
        assertThat(convert.exit()).as(convert.err()).isZero();
        assertThat(convert.err()).isEmpty();
        Path expected = Qemu.toRaw(work.resolve("sample.qcow2"), work.resolve("qemu.raw"));
        assertThat(Files.mismatch(work.resolve("ours.raw"), expected)).isEqualTo(-1);

        Run version = Unpacked.run(work, env, qcow2, "--version");
        assertThat(version.out()).isEqualTo("qcow2 (qcow4j) " + Unpacked.VERSION + "\n");
        Run mountHelp = Unpacked.run(work, env, unpacked.resolve("bin/mount-qcow2").toString(), "--help");
        assertThat(mountHelp.exit()).as(mountHelp.err()).isZero();
        assertThat(mountHelp.out()).startsWith("Usage: qcow2 mount ");

        assertThat(mavenCalls).doesNotExist();
        assertThat(Unpacked.files(unpacked)).isEqualTo(before);
        // what it keeps between runs went to the user's cache
        assertThat(Unpacked.files(home.resolve(".cache/qcow4j"))).anyMatch(name -> name.endsWith(".jsa"));
    }

    @Test
    void theZipHoldsTheSameFilesAsTheTarGz() throws Exception {
        Path unpacked = Unpacked.tarGz(dir);
        List<String> fromTar = new ArrayList<>(List.of("qcow4j-" + Unpacked.VERSION + "/"));
        for (String name : Unpacked.files(unpacked)) {
            fromTar.add("qcow4j-" + Unpacked.VERSION + "/" + name);
        }
        List<String> fromZip = new ArrayList<>();
        try (ZipFile zip = new ZipFile(Unpacked.ZIP.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                fromZip.add(entry.getName());
                if (!entry.isDirectory()) {
                    Path file = dir.resolve(entry.getName());
                    assertThat(zip.getInputStream(entry).readAllBytes()).as(entry.getName())
                            .isEqualTo(Files.readAllBytes(file));
                }
            }
        }
        // a zip may leave out directory entries that only hold other directories
        assertThat(fromZip).allMatch(fromTar::contains);
        assertThat(fromTar).filteredOn(name -> !name.endsWith("/")).allMatch(fromZip::contains);
    }
}
