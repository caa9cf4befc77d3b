package io.qcow4j.parallels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Allocation;
import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.ImageFormats;
import io.qcow4j.testing.Qemu;
import io.qcow4j.testing.QemuReference;

/**
 * What the specification leaves to a reader, read as qemu-img reads it: the in-use flag, the format extension, table
 * entries on the header or shared by two clusters, and a last cluster cut short by the file's end.
 */
class ParallelsEdgeTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new ParallelsFormatProvider());
    private static final int DIRTY = 0x746F6E59;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
    }

    /** 64 sectors in 4 KiB clusters: cluster 0 holds 0x11, cluster 3 holds 0x33; the data area starts at 4096. */
    private static ByteBuffer twoClusters() {
        byte[] bytes = new ParallelsBuilder(64).cluster(0, filled(4096, 0x11)).cluster(3, filled(4096, 0x33)).build();
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] readAll(Image image) throws Exception {
        ByteBuffer all = ByteBuffer.allocate((int) image.size());
        image.readFully(all, 0);
        return all.array();
    }

    private static byte[] expectedTwoClusters() {
        byte[] expected = new byte[64 * 512];
        Arrays.fill(expected, 0, 4096, (byte) 0x11);
        Arrays.fill(expected, 3 * 4096, 4 * 4096, (byte) 0x33);
        return expected;
    }

    @Test
    void anImageLeftInUseReadsAsQemuReadsIt() throws Exception {
        // QEMU refuses such an image read-write only (it must be checked first); read-only it reads as it is
        ByteBuffer image = twoClusters().putInt(44, DIRTY);
        Path file = write("dirty.hds", image.array());
        assertThat(QemuReference.raw(file, "parallels")).isEqualTo(expectedTwoClusters());
        try (Image opened = FORMATS.open(file)) {
            QemuReference.assertReadsAsQemu(opened, file, "parallels", true);
        }
    }

    @Test
    void theFormatExtensionIsIgnored() throws Exception {
        // a valid extension cluster (magic, MD5 of the rest, "end of features") after the data, at sector 24
        ByteBuffer extension = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0, 0xAB234CEF23DCEA87L);
        extension.put(8, MessageDigest.getInstance("MD5").digest(Arrays.copyOfRange(extension.array(), 24, 4096)));
        byte[] withExtension = Arrays.copyOf(twoClusters().putLong(56, 24).array(), 3 * 4096 + 4096);
        System.arraycopy(extension.array(), 0, withExtension, 3 * 4096, 4096);
        Path valid = write("extension.hds", withExtension);
        try (Image opened = FORMATS.open(valid)) {
            QemuReference.assertReadsAsQemu(opened, valid, "parallels", true);
        }
        // dirty bitmaps say nothing of the data: an extension QEMU cannot load (it refuses the image) is ignored too
        withExtension[3 * 4096] ^= 1;
        Path broken = write("broken-extension.hds", withExtension);
        assertThat(Qemu.runForFailure("qemu-img", "info", "-f", "parallels", broken.toString()))
                .contains("Format Extension magic");
        try (Image opened = FORMATS.open(broken)) {
            assertThat(readAll(opened)).isEqualTo(expectedTwoClusters());
        }
    }

    @Test
    void entriesOnTheTableOrSharedReadAsQemuReadsThem() throws Exception {
        // the older header's entries count sectors: cluster 1 at sector 1 reads the table's bytes, cluster 2 shares
        // cluster 0's sectors
        byte[] older = new ParallelsBuilder(2048).older().cluster(0, ParallelsBuilder.pattern(4096, 5)).build();
        ByteBuffer.wrap(older).order(ByteOrder.LITTLE_ENDIAN).putInt(64 + 4, 1)
                .putInt(64 + 8, ByteBuffer.wrap(older).order(ByteOrder.LITTLE_ENDIAN).getInt(64));
        Path file = write("on-table.hds", older);
        byte[] qemu = QemuReference.raw(file, "parallels");
        assertThat(Arrays.copyOfRange(qemu, 4096, 4096 + 512)).isEqualTo(Arrays.copyOfRange(older, 512, 1024));
        assertThat(Arrays.copyOfRange(qemu, 8192, 12288)).isEqualTo(ParallelsBuilder.pattern(4096, 5));
        try (Image opened = FORMATS.open(file)) {
            QemuReference.assertReadsAsQemu(opened, file, "parallels", true);
        }
    }

    @Test
    void aLastClusterCutShortReadsZerosPastTheFileEnd() throws Exception {
        // cluster 3 keeps its first 100 bytes: the specification asks only that a cluster start inside the file
        byte[] cut = Arrays.copyOf(twoClusters().array(), 2 * 4096 + 100);
        Path file = write("cut.hds", cut);
        byte[] expected = new byte[64 * 512];
        Arrays.fill(expected, 0, 4096, (byte) 0x11);
        Arrays.fill(expected, 3 * 4096, 3 * 4096 + 100, (byte) 0x33);
        assertThat(QemuReference.raw(file, "parallels")).isEqualTo(expected);
        try (Image opened = FORMATS.open(file)) {
            // QEMU maps the cut cluster as data whole; the part past the end is not stored, so it maps as zeros here
            QemuReference.assertReadsAsQemu(opened, file, "parallels", false);
            ByteBuffer tail = ByteBuffer.allocate(300);
            opened.readFully(tail, 3 * 4096 + 50);
            assertThat(tail.array()).isEqualTo(Arrays.copyOfRange(expected, 3 * 4096 + 50, 3 * 4096 + 350));
            assertThat(opened.blockStatus(3 * 4096, 4096).length()).isEqualTo(100);
            assertThat(opened.blockStatus(3 * 4096 + 100, 4096).allocation()).isEqualTo(Allocation.ZERO);
            assertThat(opened.blockStatus(3 * 4096 + 100, 4096).length()).isEqualTo(4096 - 100);
        }
    }

    @Test
    void aClusterStartingAtTheFileEndIsRefusedEvenAfterOneCutShort() throws Exception {
        // clusters 3 and 4 follow each other in the file; the file ends inside cluster 3
        byte[] bytes = new ParallelsBuilder(64).cluster(0, filled(4096, 0x11)).cluster(3, filled(4096, 0x33))
                .cluster(4, filled(4096, 0x44)).build();
        Path file = write("past.hds", Arrays.copyOf(bytes, 2 * 4096 + 100));
        try (Image opened = FORMATS.open(file)) {
            ByteBuffer both = ByteBuffer.allocate(2 * 4096);
            assertThatThrownBy(() -> opened.readFully(both, 3 * 4096)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("data of guest offset 16384 at offset 12288")
                    .hasMessageContaining("passes the end of the 8292-byte file");
            ByteBuffer first = ByteBuffer.allocate(4096);
            opened.readFully(first, 3 * 4096);
            assertThat(Arrays.copyOf(first.array(), 100)).isEqualTo(filled(100, 0x33));
        }
    }
}
