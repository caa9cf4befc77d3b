package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.LayerFormatProvider;

/**
 * A provider registered only on the test class path (test-support's made-up layer format, listed in this module's
 * test services file) works in every command with no change to the command line.
 */
class PluggableFormatTest {

    @TempDir
    Path dir;

    @Test
    void everyCommandReadsAFormatFromTheClassPath() throws Exception {
        Path file = Files.writeString(dir.resolve("disk.layer"), LayerFormatProvider.layer(131072, "data 0 131072 90"));
        Cli.Result info = Cli.run("info", file.toString());
        assertThat(info.exit()).isZero();
        assertThat(info.out()).contains("file format: layer\n", "virtual size: 128 KiB (131072 bytes)\n");

        assertThat(Cli.run("map", "--output=json", file.toString()).out()).isEqualTo("[{ \"start\": 0, \"length\":"
                + " 131072, \"depth\": 0, \"present\": true, \"zero\": false, \"data\": true,"
                + " \"compressed\": false}]\n");
        assertThat(Cli.run("read", "--offset", "64K", file.toString()).stdout()).hasSize(65536).containsOnly(90);

        Path target = dir.resolve("disk.raw");
        assertThat(Cli.run("convert", file.toString(), target.toString()).exit()).isZero();
        assertThat(Files.readAllBytes(target)).hasSize(131072).containsOnly(90);
    }
}
