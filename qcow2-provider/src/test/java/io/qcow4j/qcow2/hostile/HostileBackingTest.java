package io.qcow4j.qcow2.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.BackingChainException;
import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.ImageLimitException;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.testing.ImageExerciser;
import io.qcow4j.testing.Qemu;

/**
 * Images that point at other files (QEMU CVE-2024-4467, OpenStack OSSA-2024-001, CVE-2008-2004): backing chains that
 * loop or never end, safe mode refusing every file but the image, and a raw backing file that looks like qcow2.
 */
class HostileBackingTest {

    private static final OpenOptions FOLLOW = OpenOptions.defaults();

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
    }

    /** A qcow2 overlay in {@code dir} whose backing file name is {@code backing} (a 4-byte name), not checked. */
    private Path overlayNaming(String name, String backing) {
        Path image = dir.resolve(name);
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-o", "cluster_size=512", "-b", backing, "-F",
                "qcow2", image.toString(), "64k");
        return image;
    }

    /**
     * A damaged backing file is named in the error, after the image the caller opened: the message reads as the path
     * down the chain, at open (a header field out of range) and at read (an L2 entry off the cluster size).
     */
    @Test
    void anErrorInABackingFileNamesItAfterTheImageOpened() throws IOException {
        Path base = Qemu.createQcow2(dir.resolve("base.qcow2"), "1M");
        Qemu.io(base, "qcow2", "write -P 0x5a 0 64k");
        Path middle = Qemu.createQcow2(dir.resolve("middle.qcow2"), "1M", "backing_file=base.qcow2",
                "backing_fmt=qcow2");
        Path top = Qemu.createQcow2(dir.resolve("top.qcow2"), "1M", "backing_file=middle.qcow2",
                "backing_fmt=qcow2");
        byte[] intact = Files.readAllBytes(base);

        ImagePatcher.of(base).l2Entry(0, ImagePatcher.of(base).l2Entry(0) + 512);
        Qemu.runForFailure("qemu-img", "convert", "-O", "raw", top.toString(), dir.resolve("q.raw").toString());
        try (Image image = Images.open(top)) {
            IOException atRead = Outcome.of(() -> image.readFully(ByteBuffer.allocate(4096), 0), "read");
            assertThat(atRead).isExactlyInstanceOf(CorruptImageException.class)
                    .hasMessageStartingWith(top + ": " + middle + ": " + base + ": ")
                    .hasMessageContaining("unaligned");
            IOException atStatus = Outcome.of(() -> image.blockStatus(0, 4096), "status");
            assertThat(atStatus).hasMessageStartingWith(top + ": " + middle + ": " + base + ": ");
        }

        Files.write(base, intact);
        ImagePatcher.of(base).set(HeaderField.CLUSTER_BITS, 99);
        assertThat(Outcome.failure(top, FOLLOW)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessage(top + ": " + middle + ": " + base + ": qcow2 header: cluster_bits 99 is outside 9..21"
                        + " (cluster sizes 512 B to 2 MiB)");
    }

    @Test
    void anImageNamingItselfAsItsBackingFile() {
        Path self = overlayNaming("self.qcow2", "self.qcow2");
        assertThat(Outcome.failure(self, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessageContaining("loops").hasMessageContaining("self.qcow2");
    }

    @Test
    void anImageNamingItselfThroughAnotherPath() throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Path self = overlayNaming("self.qcow2", "sub/../self.qcow2");
        Files.createSymbolicLink(dir.resolve("link.qcow2"), self);
        assertThat(Outcome.failure(dir.resolve("link.qcow2"), FOLLOW))
                .isExactlyInstanceOf(BackingChainException.class).hasMessageContaining("loops");
    }

    @Test
    void aChainFromAToBAndBackToA() {
        Path a = overlayNaming("a.qcow2", "b.qcow2");
        overlayNaming("b.qcow2", "a.qcow2");
        assertThat(Outcome.failure(a, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessageContaining("loops").hasMessageContaining("a.qcow2").hasMessageContaining("b.qcow2");
    }

    @Test
    void aChainDeeperThanTheLimit() {
        // c000 -> c001 -> ... -> c299: made by patching the 4-byte backing name of one template
        Path template = overlayNaming("template.qcow2", "c001");
        ImagePatcher t = ImagePatcher.of(template);
        long nameAt = t.get(HeaderField.BACKING_FILE_OFFSET);
        assertThat(t.get(HeaderField.BACKING_FILE_SIZE)).isEqualTo(4);
        for (int i = 0; i < 300; i++) {
            ImagePatcher.copy(template, dir.resolve(String.format("c%03d", i)))
                    .bytes(nameAt, String.format("c%03d", i + 1).getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(Outcome.failure(dir.resolve("c000"), FOLLOW)).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("backing chain deeper than 256");
    }

    /**
     * {@code x000 -> x001 -> ... -> x<depth>} for {@code prefix} x: overlays of a 64 MiB disk in 2 MiB clusters, made by
     * patching the 4-byte backing name of one template. Each has one L2 table, empty and in a hole, so that a read
     * falls through it after looking at the table, and a file takes 64 KiB of disk. The last name is the caller's to
     * make, or to leave missing. Returns the top.
     */
    private Path largeClusterChain(char prefix, int depth) throws IOException {
        Path template = dir.resolve("template-" + prefix + ".qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-o", "cluster_size=2M", "-b", prefix + "001",
                "-F", "qcow2", template.toString(), "64M");
        long twoMib = 2 << 20;
        ImagePatcher t = ImagePatcher.of(template).set(HeaderField.L1_TABLE_OFFSET, twoMib);
        long nameAt = t.get(HeaderField.BACKING_FILE_OFFSET);
        byte[] header = Arrays.copyOf(Files.readAllBytes(template), 64 << 10);
        for (int i = 0; i < depth; i++) {
            System.arraycopy(String.format("%c%03d", prefix, i + 1).getBytes(StandardCharsets.US_ASCII), 0, header,
                    (int) nameAt, 4);
            try (RandomAccessFile image = new RandomAccessFile(
                    dir.resolve(String.format("%c%03d", prefix, i)).toFile(), "rw")) {
                image.write(header);
                // L1 entry 0 names the L2 table at 4 MiB, a hole: every entry reads unallocated
                image.seek(twoMib);
                image.writeLong((1L << 63) | (2 * twoMib));
                image.setLength(3 * twoMib);
            }
        }
        return dir.resolve(prefix + "000");
    }

    @Test
    void aChainOfLargeClusterImagesDeeperThanTheLimitFailsWithinASmallHeap() throws IOException {
        // 2 MiB clusters: an image's cluster 0 is read whole when it opens, and holding every level's through the
        // recursion ran this module's 256 MiB test heap out of memory before the limit was reached
        Path top = largeClusterChain('d', 300);
        assertThat(Outcome.failure(top, FOLLOW)).isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageContaining("backing chain deeper than 256");
    }

    @Test
    void readsThroughADeepChainOfLargeClusterImagesWithinASmallHeap() throws IOException {
        // 150 overlays of 2 MiB clusters, each with an empty L2 table, over a base holding the data: a read falls
        // through every overlay, and each one caches the part of its table it looked at. Whole 2 MiB tables
        // (300 MiB) ran this module's 256 MiB test heap out of memory; 4 KiB slices take 600 KiB
        Path base = Qemu.createQcow2(dir.resolve("e150"), "64M");
        Qemu.io(base, "qcow2", "write -P 0x5c 0 4k", "write -P 0x3d 32M 4k");
        Path chain = largeClusterChain('e', 150);
        try (Image top = Images.open(chain, FOLLOW)) {
            ByteBuffer first = ByteBuffer.allocate(4096);
            top.readFully(first, 0);
            ByteBuffer middle = ByteBuffer.allocate(4096);
            top.readFully(middle, 32 << 20);
            for (int i = 0; i < 4096; i++) {
                assertThat(first.get(i)).isEqualTo((byte) 0x5c);
                assertThat(middle.get(i)).isEqualTo((byte) 0x3d);
            }
        }
    }

    @Test
    void aMissingBackingFile() {
        Path overlay = overlayNaming("overlay.qcow2", "nowhere.qcow2");
        assertThat(Outcome.failure(overlay, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessageContaining("nowhere.qcow2").hasMessageContaining("does not exist");
    }

    @Test
    void aBackingFileThatIsADirectory() throws IOException {
        Files.createDirectories(dir.resolve("adir"));
        Path overlay = overlayNaming("overlay.qcow2", "adir");
        assertThat(Outcome.failure(overlay, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessageContaining("adir");
    }

    @Test
    void safeModeRefusesABackingFileEvenWhenItExists() throws IOException {
        Path base = Fixtures.plain(dir, "base.qcow2", "1.1", 512);
        Path overlay = overlayNaming("overlay.qcow2", "base.qcow2");
        assertThat(Outcome.of(overlay, FOLLOW)).isNull();
        assertThat(Outcome.failure(overlay)).isExactlyInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("backing file 'base.qcow2'").hasMessageContaining("safe mode");
        assertThat(base).exists();
    }

    @Test
    void safeModeRefusesAnAbsoluteBackingFileOutsideTheImagesDirectory() {
        Path overlay = dir.resolve("passwd.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", "/etc/passwd", "-F", "raw",
                overlay.toString(), "64k");
        assertThat(Outcome.failure(overlay)).isExactlyInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("'/etc/passwd'");
    }

    @Test
    void safeModeRefusesAnExternalDataFile() throws IOException {
        Path image = dir.resolve("withdata.qcow2");
        Qemu.createQcow2(image, "64k", "data_file=" + dir.resolve("data.raw"), "cluster_size=512");
        Qemu.io(image, "qcow2", "write -P 0x61 0 4k");
        assertThat(Outcome.of(image, FOLLOW)).isNull();
        assertThat(Outcome.failure(image)).isExactlyInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("external data file").hasMessageContaining("data.raw")
                .hasMessageContaining("safe mode");
    }

    @Test
    void aMissingExternalDataFile() throws IOException {
        Path image = dir.resolve("withdata.qcow2");
        Qemu.createQcow2(image, "64k", "data_file=" + dir.resolve("data.raw"), "cluster_size=512");
        Files.delete(dir.resolve("data.raw"));
        assertThat(Outcome.failure(image, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessageContaining("data.raw").hasMessageContaining("does not exist");
    }

    @Test
    void aRawBackingFileThatLooksLikeQcow2IsReadAsRaw() throws IOException {
        // CVE-2008-2004: a guest writes a qcow2 header into its raw disk; probing that disk would let the guest
        // name any host file as a backing file. The declared format wins: the bytes read are the header's bytes.
        Path secret = Files.writeString(dir.resolve("secret.txt"), "host secret\n");
        Path guestDisk = dir.resolve("guest.img");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", secret.toString(), "-F", "raw",
                guestDisk.toString(), "64k");
        Path overlay = dir.resolve("overlay.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "guest.img", "-F", "raw", overlay.toString(),
                "64k");
        byte[] expected = Files.readAllBytes(Qemu.toRaw(overlay, dir.resolve("expected.raw")));
        try (Image image = Images.open(overlay, FOLLOW)) {
            byte[] actual = ImageExerciser.readAll(image);
            assertThat(actual).isEqualTo(expected);
            assertThat(new String(actual, 0, 4, StandardCharsets.ISO_8859_1)).isEqualTo("QFI\u00fb");
            assertThat(new String(actual, StandardCharsets.ISO_8859_1)).doesNotContain("host secret");
        }
    }
}
