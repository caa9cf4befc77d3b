package io.qcow4j.vhdx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.google.gson.JsonObject;

import io.qcow4j.Image;
import io.qcow4j.ImageFormats;
import io.qcow4j.ImageInfo;
import io.qcow4j.testing.Qemu;
import io.qcow4j.testing.QemuReference;

/**
 * Every VHDX qemu-img writes (dynamic and fixed, block sizes from 1 MiB to 256 MiB, log sizes, block_state_zero on
 * and off, created or converted), written by qemu-io with patterns and zero writes, read and shown as qemu-img does.
 * qemu-img 7.2 has no block status for vhdx (its map says data everywhere), so the map is checked against the bytes.
 */
class VhdxMatrixTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new VhdxFormatProvider());

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
    }

    record Case(String subformat, String blockSize, String logSize, boolean zeroState, long size,
                boolean converted) {
        String options() {
            return "subformat=" + subformat + ",block_size=" + blockSize + ",log_size=" + logSize
                    + ",block_state_zero=" + (zeroState ? "on" : "off");
        }

        @Override
        public String toString() {
            return options() + ",size=" + size + (converted ? ",converted" : "");
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (String subformat : List.of("dynamic", "fixed")) {
            for (String block : List.of("1M", "8M", "32M")) {
                for (boolean zero : List.of(true, false)) {
                    cases.add(new Case(subformat, block, "1M", zero, 21L * 1024 * 1024 + 1536, false));
                }
            }
            cases.add(new Case(subformat, "1M", "4M", true, 10L << 20, true));
        }
        cases.add(new Case("dynamic", "256M", "1M", true, 20L << 20, false));
        cases.add(new Case("dynamic", "0", "1M", false, 67L << 20, false));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readsAndShowsAsQemu(Case c) throws Exception {
        Path image = QemuReference.make(dir.resolve("disk.vhdx"), "vhdx", c.options(), c.size(), c.converted());
        JsonObject qemuInfo = QemuReference.info(image, "vhdx");
        long size = qemuInfo.get("virtual-size").getAsLong();
        QemuReference.writeScattered(image, "vhdx", size);
        try (Image opened = FORMATS.open(image)) {
            // qemu-img 7.2 has no block status for VHDX: its map says data everywhere
            QemuReference.assertReadsAsQemu(opened, image, "vhdx", false);
            ImageInfo info = opened.info();
            assertThat(info.virtualSize()).isEqualTo(size);
            assertThat(info.clusterSize()).isEqualTo(qemuInfo.get("cluster-size").getAsInt());
            assertThat(info.formatSpecific()).isEmpty();
            assertThat(QemuReference.formatSpecific(image, "vhdx").size()).isZero();
        }
    }
}
