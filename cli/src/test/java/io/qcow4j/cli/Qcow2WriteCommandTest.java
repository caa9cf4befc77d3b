package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.Qemu;

/** {@code qcow2 create} and {@code qcow2 convert -O qcow2} against qemu-img. */
class Qcow2WriteCommandTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
    }

    @Test
    void createPrintsWhatQemuImgPrintsAndWritesTheSameImage() {
        String[][] cases = {
            {"disk.qcow2", "1G"},
            {"-o", "compat=0.10,cluster_size=4k", "disk.qcow2", "1G"},
            {"-o", "compat=1.1,compression_type=zstd", "-o", "extended_l2=on,lazy_refcounts=on,refcount_bits=8",
                "disk.qcow2", "64M"},
            {"-o", "preallocation=metadata", "disk.qcow2", "1G"},
            {"-o", "preallocation=off,cluster_size=2M", "disk.qcow2", "1G"},
            {"-o", "preallocation=falloc,extended_l2=on", "disk.qcow2", "3M"},
        };
        for (String[] args : cases) {
            Cli.Result ours = Cli.run(concat(new String[] {"create", "-f", "qcow2"}, inDir(args)));
            assertThat(ours.exit()).as(String.join(" ", args)).isZero();
            assertThat(ours.stderr()).isEmpty();
            String theirs = Qemu.run(concat(new String[] {"qemu-img", "create", "-f", "qcow2"}, inDir(args)));
            assertThat(ours.out()).isEqualTo(theirs);
            assertCheckClean(dir.resolve("disk.qcow2"));
        }
    }

    @Test
    void createAnOverlayTakingTheBackingFilesSize() {
        Qemu.createQcow2(dir.resolve("base.qcow2"), "10M");
        Path overlay = dir.resolve("overlay.qcow2");
        Cli.Result result = Cli.run("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2",
                overlay.toString());
        assertThat(result.exit()).isZero();
        assertThat(result.out()).isEmpty();
        String info = Qemu.run("qemu-img", "info", "--output=json", overlay.toString());
        assertThat(info).contains("\"virtual-size\": 10485760").contains("\"backing-filename\": \"base.qcow2\"")
                .contains("\"backing-filename-format\": \"qcow2\"");
        assertCheckClean(overlay);
    }

    @Test
    void createWithoutOpeningTheBackingFileAsQemuImgsU() {
        // the backing file does not exist: refused without -u, written with it, as qemu-img does
        Path image = dir.resolve("x.qcow2");
        String[] args = {"-b", "missing.qcow2", "-F", "qcow2", image.toString(), "1G"};
        Cli.Result checked = Cli.run(concat(new String[] {"create"}, args));
        assertThat(checked.exit()).isEqualTo(1);
        assertThat(checked.stderr()).contains("missing.qcow2");
        assertThat(image).doesNotExist();

        Cli.Result ours = Cli.run(concat(new String[] {"create", "-u"}, args));
        assertThat(ours.exit()).as(ours.stderr()).isZero();
        assertThat(Qemu.run("qemu-img", "info", "--output=json", image.toString()))
                .contains("\"virtual-size\": 1073741824", "\"backing-filename\": \"missing.qcow2\"",
                        "\"backing-filename-format\": \"qcow2\"");
        assertThat(ours.out()).isEqualTo(Qemu.run(concat(new String[] {"qemu-img", "create", "-f", "qcow2", "-u"},
                args)));

        // the size is not taken from a backing file that is not opened, even one that exists
        Qemu.createQcow2(dir.resolve("base.qcow2"), "10M");
        Cli.Result noSize = Cli.run("create", "-u", "-b", "base.qcow2", "-F", "qcow2", dir.resolve("y.qcow2")
                .toString());
        assertThat(noSize.exit()).isEqualTo(1);
        assertThat(noSize.stderr()).endsWith(": Image creation needs a size parameter\n");
        assertThat(dir.resolve("y.qcow2")).doesNotExist();
        Cli.Result noFormat = Cli.run("create", "-u", "-b", "missing.qcow2", dir.resolve("z.qcow2").toString(), "1M");
        assertThat(noFormat.exit()).isEqualTo(1);
        assertThat(noFormat.stderr()).contains("Backing file specified without backing format");
    }

    @Test
    void createFailuresAreQemuImgs() {
        Path image = dir.resolve("x.qcow2");
        Cli.Result noSize = Cli.run("create", "-f", "qcow2", image.toString());
        assertThat(noSize.exit()).isEqualTo(1);
        assertThat(noSize.stderr()).isEqualTo("qcow2: " + image + ": Image creation needs a size parameter\n");

        Cli.Result badOption = Cli.run("create", "-o", "extended_l2=maybe", image.toString(), "1M");
        assertThat(badOption.exit()).isEqualTo(1);
        assertThat(badOption.stderr()).isEqualTo("qcow2: " + image + ": Parameter 'extended_l2' expects 'on' or "
                + "'off'\n");

        Cli.Result unknown = Cli.run("create", "-o", "foo=1", image.toString(), "1M");
        assertThat(unknown.stderr()).isEqualTo("qcow2: " + image + ": Invalid parameter 'foo'\n");

        Cli.Result noFormat = Cli.run("create", "-b", "base.qcow2", image.toString(), "1M");
        assertThat(noFormat.exit()).isEqualTo(1);
        assertThat(noFormat.stderr()).contains("Backing file specified without backing format");

        Cli.Result badPreallocation = Cli.run("create", "-o", "preallocation=bogus", image.toString(), "1M");
        assertThat(badPreallocation.exit()).isEqualTo(1);
        assertThat(badPreallocation.stderr()).isEqualTo("qcow2: " + image + ": Parameter 'preallocation' does not "
                + "accept value 'bogus'\n");
        Cli.Result preallocatedConvert = Cli.run("convert", "-O", "qcow2", "-o", "preallocation=metadata",
                Cli.SAMPLE.toString(), image.toString());
        assertThat(preallocatedConvert.exit()).isEqualTo(1);
        assertThat(preallocatedConvert.stderr()).contains("convert does not preallocate (preallocation=metadata)");

        Cli.Result raw = Cli.run("create", "-f", "raw", image.toString(), "1M");
        assertThat(raw.exit()).isEqualTo(2);
        assertThat(image).doesNotExist();
    }

    @Test
    void convertToQcow2CompressedAndAsAnOverlay() throws Exception {
        Path raw = dir.resolve("source.raw");
        byte[] bytes = new byte[(3 << 20) + 1000];
        for (int i = 0; i < bytes.length; i += 3) {
            bytes[i] = (byte) (i % 251);
        }
        java.util.Arrays.fill(bytes, 1 << 20, 2 << 20, (byte) 0);
        Files.write(raw, bytes);
        for (String[] extra : new String[][] {{}, {"-c"}, {"-c", "-W"}, {"-c", "-o", "compression_type=zstd,cluster_size=4k"},
                {"-o", "compat=0.10"}}) {
            Path target = dir.resolve("target.qcow2");
            Cli.Result result = Cli.run(concat(concat(new String[] {"convert", "-O", "qcow2", "-m", "2"}, extra),
                    new String[] {raw.toString(), target.toString()}));
            assertThat(result.exit()).as(String.join(" ", extra)).isZero();
            assertThat(result.stderr()).isEmpty();
            assertCheckClean(target);
            Qemu.run("qemu-img", "compare", target.toString(), raw.toString());
        }

        Path base = dir.resolve("base.qcow2");
        Qemu.run("qemu-img", "convert", "-O", "qcow2", raw.toString(), base.toString());
        Qemu.io(raw, "raw", "write -P 0x33 2M 64k");
        Path overlay = dir.resolve("overlay.qcow2");
        Cli.Result result = Cli.run("convert", "-O", "qcow2", "-B", "base.qcow2", "-F", "qcow2", raw.toString(),
                overlay.toString());
        assertThat(result.exit()).isZero();
        assertCheckClean(overlay);
        Qemu.run("qemu-img", "compare", overlay.toString(), raw.toString());
        String map = Qemu.run("qemu-img", "map", "--output=json", overlay.toString());
        assertThat(map).contains("{ \"start\": 2097152, \"length\": 65536, \"depth\": 0, \"present\": true,"
                + " \"zero\": false, \"data\": true");
    }

    @Test
    void convertOptionsThatNeedQcow2AreUsageErrors() {
        Path target = dir.resolve("never.raw");
        for (String[] args : new String[][] {
                {"convert", "-o", "cluster_size=4k", Cli.SAMPLE.toString(), target.toString()},
                {"convert", "-B", "base.qcow2", Cli.SAMPLE.toString(), target.toString()},
                {"convert", "-O", "qcow2", "-F", "qcow2", Cli.SAMPLE.toString(), target.toString()}}) {
            Cli.Result result = Cli.run(args);
            assertThat(result.exit()).as(String.join(" ", args)).isEqualTo(2);
        }
        assertThat(target).doesNotExist();
    }

    private String[] inDir(String[] args) {
        String[] resolved = args.clone();
        for (int i = 0; i < resolved.length; i++) {
            if (resolved[i].endsWith(".qcow2")) {
                resolved[i] = dir.resolve(resolved[i]).toString();
            }
        }
        return resolved;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static void assertCheckClean(Path image) {
        String check = Qemu.run("qemu-img", "check", "--output=json", image.toString());
        Matcher errors = Pattern.compile("\"check-errors\": (\\d+)").matcher(check);
        assertThat(errors.find() && errors.group(1).equals("0")).as(check).isTrue();
        assertThat(check).doesNotContain("\"leaks\"").doesNotContain("\"corruptions\"");
    }
}
