package io.qcow4j.parallels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.qcow4j.Image;
import io.qcow4j.ImageFormats;
import io.qcow4j.ImageInfo;
import io.qcow4j.testing.Qemu;
import io.qcow4j.testing.QemuReference;

/**
 * Every Parallels image qemu-img writes (cluster sizes, the old default of 63 sectors among them, odd sizes, created
 * or converted, written by qemu-io with patterns and zero writes) and images laid out as other writers do, read,
 * mapped and shown as qemu-img does.
 */
class ParallelsMatrixTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new ParallelsFormatProvider());

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
    }

    record Case(long clusterSize, long size, boolean converted) {
        @Override
        public String toString() {
            return "cluster_size=" + clusterSize + ",size=" + size + (converted ? ",converted" : "");
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (long cluster : List.of(4096L, 63L * 512, 64L << 10, 1L << 20)) {
            for (long size : List.of(10L << 20, 5L * 1024 * 1024 + 1536)) {
                cases.add(new Case(cluster, size, false));
            }
            cases.add(new Case(cluster, 9L << 20, true));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readsMapsAndShowsAsQemu(Case c) throws Exception {
        Path image = QemuReference.make(dir.resolve("disk.hds"), "parallels", "cluster_size=" + c.clusterSize(),
                c.size(), c.converted());
        QemuReference.writeScattered(image, "parallels",
                QemuReference.info(image, "parallels").get("virtual-size").getAsLong());
        assertMatchesQemu(image);
    }

    /** The layouts other writers use; qemu-img reads them as the reference. */
    @Test
    void olderHeadersAndOtherLayouts() throws Exception {
        byte[] a = ParallelsBuilder.pattern(4096, 1);
        byte[] b = ParallelsBuilder.pattern(4096, 2);
        byte[] c = ParallelsBuilder.pattern(4096, 3);
        // sector offsets, no data_off, clusters stored backwards
        assertMatchesQemu(write("older.hds", new ParallelsBuilder(64).older().cluster(7, a).cluster(3, b)
                .cluster(0, c).build()));
        // a disk larger than its table: the rest reads as zeros
        assertMatchesQemu(write("short-table.hds", new ParallelsBuilder(1000).batEntries(3).cluster(2, a)
                .cluster(0, b).build()));
        // consecutive clusters stored consecutively: one run
        assertMatchesQemu(write("runs.hds", new ParallelsBuilder(256).clusterSectors(16).cluster(4, a).cluster(5, b)
                .cluster(6, c).build()));
        // odd cluster sizes (63 sectors, an old default), a disk not a whole number of clusters
        assertMatchesQemu(write("odd.hds", new ParallelsBuilder(200).older().clusterSectors(63).cluster(1, a)
                .cluster(3, c).build()));
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private static void assertMatchesQemu(Path image) throws Exception {
        try (Image opened = FORMATS.open(image)) {
            QemuReference.assertReadsAsQemu(opened, image, "parallels", true);
            ImageInfo info = opened.info();
            assertThat(info.virtualSize())
                    .isEqualTo(QemuReference.info(image, "parallels").get("virtual-size").getAsLong());
            assertThat(QemuReference.info(image, "parallels").has("cluster-size")).isFalse();
            assertThat(info.clusterSize()).isZero();
            assertThat(info.formatSpecific()).isEmpty();
        }
    }
}
