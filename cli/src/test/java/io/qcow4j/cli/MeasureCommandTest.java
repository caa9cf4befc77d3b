package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.Qemu;

/** {@code qcow2 measure} against {@code qemu-img measure}: the same output, human and JSON, byte for byte. */
class MeasureCommandTest {

    @TempDir
    static Path dir;

    static List<Path> images;

    @BeforeAll
    static void makeImages() throws Exception {
        images = QemuImages.makeIfQemu(dir);
    }

    @Test
    void sameOutputAsQemuImgForEveryImage() {
        Qemu.require("qemu-img");
        for (Path image : QemuImages.withSample(images)) {
            for (List<String> options : List.<List<String>>of(List.of("-O", "qcow2"), List.of("-O", "qcow2", "--output=json"),
                    List.of("--output=json", "-O", "qcow2", "-o", "cluster_size=4k", "-o", "refcount_bits=1"),
                    List.of("-O", "qcow2", "-o", "extended_l2=on,cluster_size=2M,compat=1.1"),
                    List.of("-O", "qcow2", "-o", "compat=0.10", "--output=json"), List.of("--output=json"),
                    List.<String>of())) {
                sameAsQemuImg(options, image.toString());
            }
        }
    }

    @Test
    void otherFormatsMadeByQemuImg() {
        Qemu.require("qemu-img");
        Path source = Qemu.createQcow2(dir.resolve("other-source.qcow2"), "5M");
        Qemu.io(source, "qcow2", "write -P 0x21 0 100k", "write -z 1M 1M", "write -P 0x22 3M 1k",
                "write -P 0x23 4M 640k");
        List<List<String>> targets = List.of(List.of("vmdk"), List.of("vmdk", "subformat=streamOptimized"),
                List.of("vmdk", "subformat=monolithicFlat"), List.of("vpc"), List.of("vpc", "subformat=fixed"),
                List.of("vdi"));
        int i = 0;
        for (List<String> target : targets) {
            String format = target.get(0);
            Path converted = dir.resolve("other-" + i++ + "." + format);
            List<String> convert = new ArrayList<>(List.of("qemu-img", "convert", "-O", format));
            if (target.size() > 1) {
                convert.addAll(List.of("-o", target.get(1)));
            }
            convert.addAll(List.of(source.toString(), converted.toString()));
            Qemu.run(convert);
            // a fixed VHD is its data and a footer: qemu-img's probe takes it for raw, so both are told the format
            sameAsQemuImg(List.of("--output=json", "-O", "qcow2", "-f", format), converted.toString());
            sameAsQemuImg(List.of("-O", "qcow2", "-o", "cluster_size=512", "-f", format), converted.toString());
            sameAsQemuImg(List.of("--output=json", "-f", format), converted.toString());
        }
    }

    @Test
    void vhdxCountsOnlyItsDataWhereQemuImgCountsEverything() {
        Qemu.require("qemu-img");
        Path source = Qemu.createQcow2(dir.resolve("vhdx-source.qcow2"), "64M");
        Qemu.io(source, "qcow2", "write -P 0x24 1M 1M");
        Path vhdx = dir.resolve("disk.vhdx");
        Qemu.run("qemu-img", "convert", "-O", "vhdx", source.toString(), vhdx.toString());
        // qemu-img 7.2 has no block status for vhdx: every byte is data to it, so every cluster is required; ours
        // counts the payload blocks the file holds (one, of 8 MiB, for the MiB written), and the rest is the same
        assertThat(Qemu.run("qemu-img", "measure", "-O", "qcow2", vhdx.toString()))
                .isEqualTo("required size: 67436544\nfully allocated size: 67436544\n");
        Cli.Result ours = Cli.run("measure", "-O", "qcow2", vhdx.toString());
        assertThat(ours.exit()).isZero();
        assertThat(ours.out()).isEqualTo("required size: " + (327680 + (8 << 20))
                + "\nfully allocated size: 67436544\n");
    }

    @Test
    void sizesWithoutAnImage() {
        Qemu.require("qemu-img");
        for (String size : List.of("0", "1", "1000", "1G", "1T", "16T", "1P")) {
            sameAsQemuImg(List.of("--output=json", "-O", "qcow2", "--size", size));
            sameAsQemuImg(List.of("-O", "qcow2", "-o", "cluster_size=2M,preallocation=full", "--size", size));
            sameAsQemuImg(List.of("--size", size));
            sameAsQemuImg(List.of("-O", "raw", "-o", "preallocation=full", "--output=json", "--size", size));
        }
    }

    @Test
    void snapshotOfAnImage() {
        Qemu.require("qemu-img");
        Path snapshots = images.get(4);
        sameAsQemuImg(List.of("-O", "qcow2", "-l", "first"), snapshots.toString());
    }

    @Test
    void theSampleWithoutQemuImg() {
        Cli.Result result = Cli.run("measure", "-O", "qcow2", Cli.SAMPLE.toString());
        assertThat(result.stderr()).isEmpty();
        assertThat(result.exit()).isZero();
        // a 64 MiB disk: 1 header, 1 L2 table, 1 L1 and 2 refcount clusters of 64 KiB, and the 1024 data clusters
        // fully allocated, 19 of which hold data in the sample or its backing file (as qemu-img measure says)
        assertThat(result.out()).isEqualTo("required size: 1572864\nfully allocated size: 67436544\n"
                + "bitmaps size: 0\n");
        assertThat(Cli.run("measure", "--size", "64M").out())
                .isEqualTo("required size: 67108864\nfully allocated size: 67108864\n");
        assertThat(Cli.run("measure", "--output=json", "-O", "qcow2", "--size", "64M").out())
                .isEqualTo("{\n    \"required\": 327680,\n    \"fully-allocated\": 67436544\n}\n");
    }

    @Test
    void usageErrors() {
        assertUsage(List.of("measure"), "Either --size N or one filename must be specified.");
        assertUsage(List.of("measure", "--size", "1G", Cli.SAMPLE.toString()),
                "--size N cannot be used together with a filename.");
        assertUsage(List.of("measure", "-f", "qcow2", "--size", "1G"), "-f and -l require a filename argument.");
        assertUsage(List.of("measure", "-O", "vmdk", "--size", "1G"), "-O vmdk: measure knows qcow2 and raw");
        assertUsage(List.of("measure", "-O", "qcow2", "-o", "cluster_size=1000", "--size", "1G"),
                "Cluster size must be a power of two between 512 and 2048k");
        assertUsage(List.of("measure", "-O", "qcow2", "-o", "foo=bar", "--size", "1G"),
                "Invalid parameter 'foo'\nInvalid options for file format 'qcow2'");
        assertUsage(List.of("measure", "-O", "raw", "-o", "cluster_size=4k", "--size", "1G"),
                "Invalid parameter 'cluster_size'\nInvalid options for file format 'raw'");
        assertUsage(List.of("measure", "-O", "qcow2", "-o", ",", "--size", "1G"), "Invalid option list: ,");
        assertUsage(List.of("measure", "-O", "qcow2", "-o", "cluster_size=512", "--size", "1P"),
                "The image size is too large (try using a larger cluster size)");
        assertUsage(List.of("measure", "-O", "qcow2", "-o", "cluster_size=512,size=1P", Cli.SAMPLE.toString()),
                "The image size is too large (try using a larger cluster size)");
    }

    @Test
    void aMissingSourceIsAFailureNamingIt() throws Exception {
        Path missing = Files.createDirectories(dir.resolve("nothing-here")).resolve("gone.qcow2");
        Cli.Result result = Cli.run("measure", "-O", "qcow2", missing.toString());
        assertThat(result.exit()).isEqualTo(Failures.FAILED);
        assertThat(result.out()).isEmpty();
        assertThat(result.stderr()).startsWith("qcow2: " + missing).hasLineCount(1);
    }

    private static void assertUsage(List<String> args, String message) {
        Cli.Result result = Cli.run(args.toArray(String[]::new));
        assertThat(result.exit()).as("%s", args).isEqualTo(Failures.USAGE);
        assertThat(result.out()).isEmpty();
        assertThat(result.stderr()).as("%s", args)
                .isEqualTo("qcow2: " + message + "\nTry 'qcow2 measure --help' for more information.\n");
    }

    private static void sameAsQemuImg(List<String> options, String... source) {
        List<String> args = new ArrayList<>(List.of("measure"));
        args.addAll(options);
        args.addAll(List.of(source));
        Cli.Result ours = Cli.run(args.toArray(String[]::new));
        assertThat(ours.stderr()).as("%s", args).isEmpty();
        assertThat(ours.exit()).as("%s", args).isZero();
        List<String> qemu = new ArrayList<>(List.of("qemu-img"));
        qemu.addAll(args);
        assertThat(ours.out()).as("%s", args).isEqualTo(Qemu.run(qemu));
    }
}
