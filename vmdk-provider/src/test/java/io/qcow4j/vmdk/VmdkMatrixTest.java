package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.ImageContent;
import io.qcow4j.testing.Qemu;

/**
 * Every VMDK qemu-img writes: each subformat, from a conversion and from {@code create} with qemu-io writes and zero
 * writes, the creation options, delta disks and disks past 2 GiB. Each is read whole and at random from several
 * threads against {@code qemu-img convert -O raw}, mapped against {@code qemu-img map}, and its info compared with
 * {@code qemu-img info}'s JSON.
 */
class VmdkMatrixTest {

    private static final String[] SUBFORMATS = {"monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse",
        "twoGbMaxExtentFlat", "streamOptimized"};
    /** Writes of every alignment, a zero write, and a grain-sized zero write (zeroed grains where enabled). */
    private static final String[] WRITES = {"write -P 0x11 0 64k", "write -P 0x22 100000 5000",
        "write -P 0x33 1M 192k", "write -z 1088k 64k", "write -z 3000k 1000", "write -P 0x44 4095k 1k"};
    /** Whole-grain writes only: a stream takes no other. */
    private static final String[] STREAM_WRITES = {"write -P 0x11 0 64k", "write -P 0x33 1M 192k",
        "write -z 2M 64k", "write -P 0x44 4032k 64k"};

    @TempDir
    Path dir;

    /** One image of the matrix: how to make it in a directory. */
    record Case(String name, Builder builder) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    interface Builder {
        Path build(Path dir) throws Exception;
    }

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (String subformat : SUBFORMATS) {
            cases.add(new Case("convert " + subformat, d -> VmdkTools.convert(content(d, 6 << 20),
                    d.resolve("disk.vmdk"), "subformat=" + subformat)));
            cases.add(new Case("create " + subformat + " + writes", d -> {
                Path image = VmdkTools.create(d.resolve("disk.vmdk"), "4M", "subformat=" + subformat);
                VmdkTools.io(image, subformat.equals("streamOptimized") ? STREAM_WRITES : WRITES);
                return image;
            }));
        }
        cases.add(new Case("zeroed_grain=on + writes", d -> written(VmdkTools.create(d.resolve("disk.vmdk"), "4M",
                "zeroed_grain=on"))));
        cases.add(new Case("twoGbMaxExtentSparse zeroed_grain=on + writes", d -> written(VmdkTools.create(
                d.resolve("disk.vmdk"), "4M", "subformat=twoGbMaxExtentSparse", "zeroed_grain=on"))));
        cases.add(new Case("convert zeroed_grain=on", d -> VmdkTools.convert(content(d, 3 << 20),
                d.resolve("disk.vmdk"), "zeroed_grain=on")));
        for (String options : new String[] {"hwversion=6", "hwversion=7", "compat6=on", "adapter_type=lsilogic",
            "adapter_type=buslogic", "adapter_type=legacyESX", "adapter_type=ide", "toolsversion=10240"}) {
            cases.add(new Case("convert " + options, d -> VmdkTools.convert(content(d, 2 << 20),
                    d.resolve("disk.vmdk"), options)));
            cases.add(new Case("convert streamOptimized " + options, d -> VmdkTools.convert(content(d, 2 << 20),
                    d.resolve("disk.vmdk"), "subformat=streamOptimized", options)));
        }
        cases.add(new Case("size not a multiple of the grain", d -> written(VmdkTools.create(d.resolve("disk.vmdk"),
                "4100k"))));
        cases.add(new Case("streamOptimized, size not a multiple of the grain", d -> VmdkTools.convert(
                content(d, (2 << 20) + 7 * 512), d.resolve("disk.vmdk"), "subformat=streamOptimized")));
        for (String parent : new String[] {"monolithicSparse", "streamOptimized", "twoGbMaxExtentSparse"}) {
            for (String child : new String[] {"monolithicSparse", "streamOptimized", "twoGbMaxExtentSparse"}) {
                cases.add(new Case("delta " + child + " over " + parent, d -> {
                    Path base = VmdkTools.convert(content(d, 4 << 20), d.resolve("base.vmdk"), "subformat=" + parent);
                    Path top = VmdkTools.delta(d.resolve("top.vmdk"), base, "subformat=" + child);
                    VmdkTools.io(top, child.equals("streamOptimized") ? STREAM_WRITES : WRITES);
                    return top;
                }));
            }
        }
        cases.add(new Case("delta with zeroed grains over data", d -> {
            Path base = VmdkTools.convert(content(d, 4 << 20), d.resolve("base.vmdk"));
            Path top = VmdkTools.delta(d.resolve("top.vmdk"), base, "zeroed_grain=on");
            VmdkTools.io(top, WRITES);
            return top;
        }));
        cases.add(new Case("chain of three deltas", d -> {
            Path base = VmdkTools.convert(content(d, 4 << 20), d.resolve("base.vmdk"));
            Path middle = VmdkTools.delta(d.resolve("middle.vmdk"), base);
            VmdkTools.io(middle, "write -P 0x55 512k 300k", "write -z 2M 64k");
            Path top = VmdkTools.delta(d.resolve("top.vmdk"), middle, "subformat=twoGbMaxExtentSparse");
            VmdkTools.io(top, "write -P 0x66 600k 64k", "write -P 0x67 3M 1k");
            return top;
        }));
        cases.add(new Case("monolithicSparse of 3 GiB, writes about 2 GiB", d -> {
            Path image = VmdkTools.create(d.resolve("disk.vmdk"), "3G");
            VmdkTools.io(image, "write -P 0x71 0 64k", "write -P 0x72 2047M 2M", "write -P 0x73 3071M 1M");
            return image;
        }));
        cases.add(new Case("twoGbMaxExtentSparse of 5 GiB, writes in each extent", d -> {
            Path image = VmdkTools.create(d.resolve("disk.vmdk"), "5G", "subformat=twoGbMaxExtentSparse",
                    "zeroed_grain=on");
            VmdkTools.io(image, "write -P 0x81 10M 100k", "write -P 0x82 2047M 2M", "write -z 2049M 128k",
                    "write -P 0x83 4095M 2M", "write -P 0x84 5119M 1M");
            return image;
        }));
        cases.add(new Case("twoGbMaxExtentFlat of 3 GiB, writes about 2 GiB", d -> {
            Path image = VmdkTools.create(d.resolve("disk.vmdk"), "3G", "subformat=twoGbMaxExtentFlat");
            VmdkTools.io(image, "write -P 0x91 2047M 2M", "write -P 0x92 3071M 1M");
            return image;
        }));
        cases.add(new Case("streamOptimized of 3 GiB, grains about 2 GiB", d -> {
            Path image = VmdkTools.create(d.resolve("disk.vmdk"), "3G", "subformat=streamOptimized");
            VmdkTools.io(image, "write -P 0xa1 2047M 2M", "write -P 0xa2 3071M 1M");
            return image;
        }));
        return cases.stream();
    }

    private static Path content(Path dir, long size) throws Exception {
        return ImageContent.writeRaw(dir.resolve("content.raw"), size, size);
    }

    private static Path written(Path image) {
        VmdkTools.io(image, WRITES);
        return image;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readsLikeQemu(Case c) throws Exception {
        Path image = c.builder().build(dir);
        Path raw = Qemu.toRaw(image, dir.resolve("reference.raw"));
        try (Image opened = Images.open(image)) {
            assertThat(opened.format()).isEqualTo("vmdk");
            ImageAsserts.assertReadsLike(opened, raw);
            ImageAsserts.assertRandomReads(opened, raw, c.name().hashCode());
            ImageAsserts.assertMapLike(opened, image);
            ImageAsserts.assertInfoLike(opened, image);
        }
    }
}
