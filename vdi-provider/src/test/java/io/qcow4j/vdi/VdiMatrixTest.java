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
import io.qcow4j.testing.ImageContent;
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
        Path image = dir.resolve("disk.vdi");
        String options = "static=" + (c.preallocated() ? "on" : "off");
        if (c.converted()) {
            Path content = ImageContent.writeRaw(dir.resolve("content.raw"), c.size(), c.size());
            Qemu.run("qemu-img", "convert", "-f", "raw", "-O", "vdi", "-o", options, content.toString(),
                    image.toString());
        } else {
            Qemu.run("qemu-img", "create", "-q", "-f", "vdi", "-o", options, image.toString(),
                    Long.toString(c.size()));
        }
        long size = QemuReference.info(image, "vdi").get("virtual-size").getAsLong();
        Qemu.io(image, "vdi", "write -P 0x41 123 5000", "write -P 0x61 " + (size / 7 + 512) + " 300k",
                "write -z " + (size * 3 / 10 & -512) + " 64k", "write -z " + (1024 * 1024 + 512) + " 1024",
                "write -P 0x77 " + (size - 700) + " 700", "write -P 0x35 " + (2L << 20) + " 4096");
        byte[] expected = QemuReference.raw(image, "vdi");
        try (Image opened = FORMATS.open(image)) {
            assertThat(opened.format()).isEqualTo("vdi");
            QemuReference.assertReads(opened, expected);
            QemuReference.assertZeroRunsReadZero(opened, expected);
            assertThat(QemuReference.ours(opened))
                    .containsExactlyElementsOf(QemuReference.map(image, "vdi"));
            ImageInfo info = opened.info();
            assertThat(info.virtualSize()).isEqualTo(size);
            assertThat(info.clusterSize()).isEqualTo(QemuReference.info(image, "vdi").get("cluster-size").getAsInt());
            assertThat(info.formatSpecific()).isEmpty();
            assertThat(QemuReference.formatSpecific(image, "vdi").size()).isZero();
        }
    }
}
