package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.Qemu;

class MapCommandTest {

    @TempDir
    static Path dir;

    static List<Path> images;

    @BeforeAll
    static void makeImages() throws Exception {
        images = QemuImages.makeIfQemu(dir);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonRangesMatchQemuImg() {
        Qemu.require("qemu-img");
        for (Path image : QemuImages.withSample(images)) {
            Cli.Result ours = Cli.run("map", "--output=json", image.toString());
            assertThat(ours.exit()).as("%s: %s", image, ours.stderr()).isZero();
            assertThat(ours.stderr()).isEmpty();
            List<Map<String, Object>> actual = (List<Map<String, Object>>) MiniJson.parse(ours.out());
            List<Map<String, Object>> expected = (List<Map<String, Object>>) MiniJson.parse(
                    Qemu.run("qemu-img", "map", "--output=json", image.toString()));
            assertThat(actual).as("%s", image).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                Map<String, Object> ourEntry = new java.util.LinkedHashMap<>(actual.get(i));
                // QEMU 8 added "compressed"; older qemu-img leaves it out
                if (!expected.get(i).containsKey("compressed")) {
                    assertThat(ourEntry.remove("compressed")).isInstanceOf(Boolean.class);
                }
                assertThat(ourEntry).as("%s entry %d", image, i).isEqualTo(expected.get(i));
                assertThat(List.copyOf(ourEntry.keySet())).isEqualTo(List.copyOf(expected.get(i).keySet()));
            }
        }
    }

    @Test
    void jsonMarksCompressedRuns() {
        Cli.Result result = Cli.run("map", "--output=json", Cli.SAMPLE.toString());
        assertThat(result.out()).startsWith("[{ \"start\": 0, \"length\": 65536, \"depth\": 0, \"present\": true,"
                + " \"zero\": false, \"data\": true, \"compressed\": true},\n");
        assertThat(result.out()).endsWith("\"data\": false, \"compressed\": false}]\n");
    }

    @Test
    void humanFormListsWhereTheDataIsStored() {
        String base = Cli.SAMPLE_BASE.toString();
        String top = Cli.SAMPLE.toString();
        Cli.Result result = Cli.run("map", top);
        assertThat(result.exit()).isZero();
        assertThat(result.out()).isEqualTo(String.join("\n",
                "Offset          Length          Mapped to       File",
                "0               0x10000         compressed      " + top,
                "0x110000        0x10000         0x28000         " + base,
                "0x400000        0x40000         compressed      " + base,
                "0x440000        0x20000         compressed      " + top,
                "0x460000        0xa0000         compressed      " + base,
                "0x1000000       0x10000         0x18000         " + top) + "\n");
    }

    @Test
    void humanFormNamesTheExternalDataFileAsQemuImgDoes() {
        Qemu.require("qemu-img");
        Path image = dir.resolve("with-data-file.qcow2");
        // an absolute data file name: qemu-img resolves a relative one from its current directory
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("with-data-file.data"),
                image.toString(), "4M");
        Qemu.run("qemu-io", "-f", "qcow2", "-c", "write -P 7 64k 128k", "-c", "write -P 9 2M 64k", image.toString());
        Cli.Result ours = Cli.run("map", image.toString());
        assertThat(ours.exit()).as(ours.stderr()).isZero();
        assertThat(ours.out()).contains("with-data-file.data").doesNotContain("with-data-file.qcow2")
                .isEqualTo(Qemu.run("qemu-img", "map", image.toString()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRawFileEndingInsideASectorMapsItsTailAsZeroAsQemuImgDoes() throws Exception {
        Qemu.require("qemu-img");
        Path raw = java.nio.file.Files.write(dir.resolve("odd.raw"), new byte[1000]);
        java.nio.file.Files.write(raw, new byte[] {1, 2, 3});
        java.nio.file.Files.write(raw, new byte[997], java.nio.file.StandardOpenOption.APPEND);
        Cli.Result ours = Cli.run("map", "--output=json", raw.toString());
        assertThat(ours.exit()).as(ours.stderr()).isZero();
        List<Map<String, Object>> actual = (List<Map<String, Object>>) MiniJson.parse(ours.out());
        List<Map<String, Object>> expected = (List<Map<String, Object>>) MiniJson.parse(
                Qemu.run("qemu-img", "map", "--output=json", raw.toString()));
        if (!expected.get(0).containsKey("compressed")) {
            // QEMU 8 added "compressed"; older qemu-img leaves it out
            actual.forEach(entry -> assertThat(entry.remove("compressed")).isEqualTo(false));
        }
        assertThat(actual).hasSize(2).isEqualTo(expected);
    }

    @Test
    void humanFormMatchesQemuImgWhereNothingIsCompressed() {
        Qemu.require("qemu-img");
        Path overlay = images.get(1);
        Cli.Result ours = Cli.run("map", overlay.toString());
        assertThat(ours.exit()).as(ours.stderr()).isZero();
        assertThat(ours.out())
                .isEqualTo(Qemu.run("qemu-img", "map", overlay.toString()));
    }
    /**
     * A hostile image of one data cluster that every guest cluster maps to: no two runs merge, so the map has a run
     * per cluster (the 4 TiB form of it has 64 million, which the command writes as it finds them, holding none).
     */
    @Test
    void aMapOfARunPerClusterIsWrittenInFullAsQemuImgWritesIt() throws Exception {
        Qemu.require("qemu-img");
        Path image = Qemu.createQcow2(dir.resolve("scattered.qcow2"), "2G");
        Qemu.io(image, "qcow2", "write -P 0x5a 0 64k");
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(48);
            file.read(header, 0);
            int l1Size = header.getInt(36);
            long l1Offset = header.getLong(40);
            ByteBuffer entry = ByteBuffer.allocate(8);
            file.read(entry, l1Offset);
            long l2Offset = entry.getLong(0) & 0x00ff_ffff_ffff_fe00L;
            file.read(entry.clear(), l2Offset);
            for (int i = 1; i < l1Size; i++) {
                file.write(ByteBuffer.allocate(8).putLong(0, l2Offset | 1L << 63), l1Offset + 8L * i);
            }
            ByteBuffer l2 = ByteBuffer.allocate(65536);
            while (l2.hasRemaining()) {
                l2.putLong(entry.getLong(0));
            }
            file.write(l2.flip(), l2Offset);
        }
        Cli.Result ours = Cli.run("map", "--output=json", image.toString());
        assertThat(ours.exit()).as(ours.stderr()).isZero();
        String qemu = Qemu.run("qemu-img", "map", "--output=json", image.toString());
        assertThat(qemu.lines().count()).isEqualTo(32768);
        String ourText = ours.out();
        if (!qemu.contains("\"compressed\"")) {
            // QEMU 8 added "compressed"; older qemu-img leaves it out
            ourText = ourText.replace(", \"compressed\": false", "");
        }
        assertThat(ourText).isEqualTo(qemu);
        assertThat(Cli.run("map", image.toString()).out()).isEqualTo(Qemu.run("qemu-img", "map", image.toString()));
    }

    @Test
    void aReaderGoingAwayEndsTheMapQuietlyAndAFullDiskIsNamed() {
        Cli.Result closed = Cli.runFailingOutput(64, "Broken pipe", "map", "--output=json", Cli.SAMPLE.toString());
        assertThat(closed.exit()).isEqualTo(ImageCommand.BROKEN_PIPE);
        assertThat(closed.stderr()).isEmpty();

        Cli.Result full = Cli.runFailingOutput(0, "No space left on device", "map", Cli.SAMPLE.toString());
        assertThat(full.exit()).isEqualTo(1);
        assertThat(full.stderr()).isEqualTo("qcow2: standard output: No space left on device\n");
    }
}
