package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.Qemu;

class InfoCommandTest {

    @TempDir
    static Path dir;

    static List<Path> images;

    @BeforeAll
    static void makeImages() throws Exception {
        images = QemuImages.makeIfQemu(dir);
    }

    @Test
    void jsonMatchesQemuImgKeyForKeyAndInOrder() {
        Qemu.require("qemu-img");
        for (Path image : QemuImages.withSample(images)) {
            for (List<String> options : List.of(List.<String>of(), List.of("--backing-chain"))) {
                List<String> args = new ArrayList<>(List.of("info", "--output=json"));
                args.addAll(options);
                args.add(image.toString());
                Cli.Result ours = Cli.run(args.toArray(String[]::new));
                assertThat(ours.exit()).as("%s", args).isZero();
                assertThat(ours.stderr()).isEmpty();

                List<String> qemu = new ArrayList<>(List.of("qemu-img"));
                qemu.addAll(args);
                Object expected = MiniJson.parse(Qemu.run(qemu));
                Object actual = MiniJson.parse(ours.out());
                assertThat(keyOrder(actual)).as("key order of %s", args).isEqualTo(keyOrder(expected));
                // the file system may still be settling its allocation (delayed allocation, preallocation trimming)
                assertThat(withoutActualSize(actual)).as("%s", args).isEqualTo(withoutActualSize(expected));
            }
        }
    }

    @Test
    void humanFormReadsLikeQemuImgLineForLine() {
        Qemu.require("qemu-img");
        for (Path image : QemuImages.withSample(images)) {
            Cli.Result ours = Cli.run("info", "--backing-chain", image.toString());
            assertThat(ours.exit()).isZero();
            assertThat(ours.out()).containsPattern("(?m)^disk size: [0-9.]+ [KMG]?i?B$");
            assertThat(withoutDiskSize(ours.out()))
                    .isEqualTo(withoutDiskSize(Qemu.run("qemu-img", "info", "--backing-chain", image.toString())));
        }
    }

    @Test
    void anOverlayWhoseBackingFileIsMissingStillShowsItsInfo() throws Exception {
        Qemu.require("qemu-img");
        Path orphanDir = Files.createDirectories(dir.resolve("orphan"));
        Path base = Qemu.createQcow2(orphanDir.resolve("gone.qcow2"), "1M");
        Path overlay = Qemu.createQcow2(orphanDir.resolve("orphan.qcow2"), "2M", "backing_file=gone.qcow2",
                "backing_fmt=qcow2");
        Files.delete(base);
        Cli.Result ours = Cli.run("info", "--output=json", overlay.toString());
        assertThat(ours.exit()).isZero();
        assertThat(MiniJson.parse(ours.out())).isEqualTo(
                MiniJson.parse(Qemu.run("qemu-img", "info", "--output=json", overlay.toString())));

        Cli.Result chain = Cli.run("info", "--backing-chain", overlay.toString());
        assertThat(chain.exit()).isEqualTo(1);
        assertThat(chain.stderr()).startsWith("qcow2: ").contains("gone.qcow2 does not exist");
    }

    @Test
    void relativeNamesAreShownAsTypedWithTheBackingFileBesideTheOverlay() {
        Qemu.require("qemu-img");
        Path overlay = images.get(1);
        String relative = Path.of("").toAbsolutePath().relativize(overlay).toString();
        Cli.Result ours = Cli.run("info", relative);
        assertThat(ours.out()).contains("image: " + relative + "\n")
                .contains("backing file: ../base.raw (actual path: "
                        + relative.substring(0, relative.lastIndexOf('/') + 1) + "../base.raw)\n")
                .contains("backing file format: raw\n");
    }

    @Test
    void sampleWithoutQemuImg() {
        Cli.Result result = Cli.run("info", "--output=json", "--backing-chain", Cli.SAMPLE.toString());
        assertThat(result.exit()).isZero();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> chain = (List<Map<String, Object>>) MiniJson.parse(result.out());
        assertThat(chain).hasSize(2);
        assertThat(chain.get(0)).containsEntry("format", "qcow2").containsEntry("virtual-size", 64L << 20)
                .containsEntry("cluster-size", 16384L).containsEntry("backing-filename", "base.qcow2")
                .containsEntry("backing-filename-format", "qcow2")
                .containsEntry("full-backing-filename", Cli.SAMPLE_BASE.toString());
        assertThat(chain.get(0).get("format-specific").toString()).contains("compression-type=zstd");
        assertThat(chain.get(1)).containsEntry("filename", Cli.SAMPLE_BASE.toString())
                .doesNotContainKey("backing-filename");
        assertThat(chain.get(1).get("format-specific").toString()).contains("compression-type=zlib");
    }

    @Test
    void snapshotOptionOpensTheSnapshot() {
        Qemu.require("qemu-img");
        Path snapshots = images.get(4);
        assertThat(Cli.run("info", "-l", "first", snapshots.toString()).exit()).isZero();
        Cli.Result missing = Cli.run("info", "--snapshot", "nope", snapshots.toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.stderr()).startsWith("qcow2: " + snapshots + ": ").hasLineCount(1);
    }

    @Test
    void jsonOfARawFileHasQemusKeysInQemusOrder() throws Exception {
        Path raw = dir.resolve("plain.bin");
        Files.write(raw, new byte[4096]);
        Cli.Result result = Cli.run("info", "--output=json", raw.toString());
        assertThat(result.exit()).isZero();
        assertThat(result.out()).startsWith("{\n    \"virtual-size\": 4096,\n    \"filename\": \"" + raw + "\",\n"
                + "    \"format\": \"raw\",\n    \"actual-size\": ").endsWith(",\n    \"dirty-flag\": false\n}\n");
    }

    /** A copy without the {@code actual-size} fields, checked to be byte counts first. */
    private static Object withoutActualSize(Object json) {
        if (json instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new java.util.LinkedHashMap<>();
            map.forEach((k, v) -> {
                if ("actual-size".equals(k)) {
                    assertThat(v).isInstanceOf(Long.class);
                    assertThat((Long) v).isNotNegative();
                } else {
                    copy.put(k, withoutActualSize(v));
                }
            });
            return copy;
        }
        if (json instanceof List<?> list) {
            return list.stream().map(InfoCommandTest::withoutActualSize).toList();
        }
        return json;
    }

    private static String withoutDiskSize(String text) {
        return text.replaceAll("(?m)^disk size: .*$", "disk size: (varies)");
    }

    private static List<String> keyOrder(Object json) {
        List<String> keys = new ArrayList<>();
        collectKeys(json, "", keys);
        return keys;
    }

    private static void collectKeys(Object json, String path, List<String> keys) {
        if (json instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                keys.add(path + "/" + k);
                collectKeys(v, path + "/" + k, keys);
            });
        } else if (json instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collectKeys(list.get(i), path + "[" + i + "]", keys);
            }
        }
    }

    @Test
    void aFullStandardOutputIsNamedNotTheImage() {
        Cli.Result full = Cli.runFailingOutput(0, "No space left on device", "info", Cli.SAMPLE.toString());
        assertThat(full.exit()).isEqualTo(1);
        assertThat(full.stderr()).isEqualTo("qcow2: standard output: No space left on device\n");
    }
}
