package io.qcow4j.vdi;

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
import io.qcow4j.ImageFormats;
import io.qcow4j.ImageInfo;
import io.qcow4j.testing.Qemu;
import io.qcow4j.testing.QemuReference;

/**
 * Every VDI qemu-img writes (dynamic and static=on, its only block size of 1 MiB, created or converted), written by
 * qemu-io with patterns and zero writes, read, mapped and shown as qemu-img does.
 */
class VdiMatrixTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new VdiFormatProvider());

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
    }

    record Case(boolean preallocated, long size, boolean converted) {
        @Override
        public String toString() {
            return "static=" + (preallocated ? "on" : "off") + ",size=" + size + (converted ? ",converted" : "");
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (boolean preallocated : List.of(false, true)) {
            for (long size : List.of(10L << 20, 5L * 1024 * 1024 + 1536, 67L << 20)) {
                cases.add(new Case(preallocated, size, false));
            }
            cases.add(new Case(preallocated, 9L << 20, true));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readsMapsAndShowsAsQemu(Case c) throws Exception {
        Path image = QemuReference.make(dir.resolve("disk.vdi"), "vdi",
                "static=" + (c.preallocated() ? "on" : "off"), c.size(), c.converted());
        long size = QemuReference.info(image, "vdi").get("virtual-size").getAsLong();
        QemuReference.writeScattered(image, "vdi", size);
        try (Image opened = FORMATS.open(image)) {
            QemuReference.assertReadsAsQemu(opened, image, "vdi", true);
            ImageInfo info = opened.info();
            assertThat(info.virtualSize()).isEqualTo(size);
            assertThat(info.clusterSize()).isEqualTo(QemuReference.info(image, "vdi").get("cluster-size").getAsInt());
            assertThat(info.formatSpecific()).isEmpty();
            assertThat(QemuReference.formatSpecific(image, "vdi").size()).isZero();
        }
    }
}
