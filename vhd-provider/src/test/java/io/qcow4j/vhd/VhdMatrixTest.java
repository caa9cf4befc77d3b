package io.qcow4j.vhd;

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
 * Every VHD qemu-img writes (dynamic and fixed, with and without force_size, sizes that CHS geometry rounds and
 * sizes it does not), written by qemu-io, read, mapped and shown as qemu-img does with {@code -f vpc}.
 */
class VhdMatrixTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new VhdFormatProvider());

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
    }

    record Case(String subformat, boolean forceSize, long size, boolean converted) {
        @Override
        public String toString() {
            return "subformat=" + subformat + ",force_size=" + (forceSize ? "on" : "off") + ",size=" + size
                    + (converted ? ",converted" : "");
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (String subformat : List.of("dynamic", "fixed")) {
            for (boolean force : List.of(false, true)) {
                for (long size : List.of(10L << 20, 5L * 1024 * 1024 + 1536, 67L << 20)) {
                    cases.add(new Case(subformat, force, size, false));
                }
                cases.add(new Case(subformat, force, 9L << 20, true));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readsMapsAndShowsAsQemu(Case c) throws Exception {
        Path image = QemuReference.make(dir.resolve("disk.vhd"), "vpc", "subformat=" + c.subformat()
                + ",force_size=" + (c.forceSize() ? "on" : "off"), c.size(), c.converted());
        long size = QemuReference.info(image, "vpc").get("virtual-size").getAsLong();
        QemuReference.writeScattered(image, "vpc", size);
        try (Image opened = FORMATS.open(image)) {
            QemuReference.assertReadsAsQemu(opened, image, "vpc", true);
            ImageInfo info = opened.info();
            assertThat(info.virtualSize()).isEqualTo(size);
            assertThat(info.clusterSize()).isEqualTo(c.subformat().equals("fixed") ? 0 : 2 << 20);
            assertThat(info.formatSpecific()).isEmpty();
            assertThat(QemuReference.formatSpecific(image, "vpc").size()).isZero();
            assertThat(info.backingFilename()).isNull();
        }
    }
}
