package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Allocation;
import io.qcow4j.BackingChainException;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.ImageFormats;
import io.qcow4j.ImageLimitException;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.qcow2.Qcow2FormatProvider;
import io.qcow4j.raw.RawFormatProvider;
import io.qcow4j.testing.LayerFormatProvider;
import io.qcow4j.testing.Qemu;

/**
 * Delta disks and chains through several formats: the parent of a VMDK is opened through the open context (so loops,
 * depth and the file policy hold across formats), and read only where QEMU reads it, when its CID is the one the
 * delta was made over.
 */
class ChainTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
    }

    private static long cid(Path image) {
        return VmdkTools.info(image).getAsJsonObject("format-specific").getAsJsonObject("data").get("cid")
                .getAsLong();
    }

    private Path base() throws Exception {
        Path raw = Fixtures.write(dir.resolve("content.raw"), Fixtures.content(4 << 20, 65536, 41));
        return VmdkTools.convert(raw, dir.resolve("base.vmdk"));
    }

    @Test
    void aQcow2OverlayOverAVmdk() throws Exception {
        Path base = base();
        Path top = dir.resolve("top.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "base.vmdk", "-F", "vmdk", top.toString());
        Qemu.io(top, "qcow2", "write -P 0x61 64k 100k", "write -z 1M 64k");
        Path raw = Qemu.toRaw(top, dir.resolve("reference.raw"));
        try (Image image = Images.open(top)) {
            assertThat(image.format()).isEqualTo("qcow2");
            assertThat(image.backing()).get().extracting(Image::format).isEqualTo("vmdk");
            ImageAsserts.assertReadsLike(image, raw);
            ImageAsserts.assertMapLike(image, top);
        }
        assertThat(base).exists();
    }

    @Test
    void aQcow2OverlayOverAVmdkDeltaOverAStream() throws Exception {
        Path raw = Fixtures.write(dir.resolve("content.raw"), Fixtures.content(4 << 20, 65536, 42));
        Path stream = VmdkTools.convert(raw, dir.resolve("stream.vmdk"), "subformat=streamOptimized");
        Path delta = VmdkTools.delta(dir.resolve("delta.vmdk"), stream, "subformat=twoGbMaxExtentSparse");
        VmdkTools.io(delta, "write -P 0x62 0 64k", "write -P 0x63 3M 1k");
        Path top = dir.resolve("top.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "delta.vmdk", "-F", "vmdk", top.toString());
        Qemu.io(top, "qcow2", "write -P 0x64 2M 4k");
        Path reference = Qemu.toRaw(top, dir.resolve("reference.raw"));
        try (Image image = Images.open(top)) {
            ImageAsserts.assertReadsLike(image, reference);
            ImageAsserts.assertMapLike(image, top);
            BlockStatus fromStream = image.blockStatus(1 << 20, 65536);
            assertThat(fromStream.depth()).isEqualTo(2);
        }
    }

    @Test
    void aParentChangedSinceIsReadNowhere() throws Exception {
        Path base = base();
        Path top = VmdkTools.delta(dir.resolve("top.vmdk"), base);
        VmdkTools.io(top, "write -P 0x71 0 64k");
        // a write to the parent gives it a new CID, which the delta's parentCID no longer matches
        VmdkTools.io(base, "write -P 0x72 1M 512");
        long newCid = cid(base);
        assertThat(Qemu.runForFailure("qemu-img", "convert", "-O", "raw", top.toString(),
                dir.resolve("x.raw").toString())).contains("Invalid argument");
        try (Image image = Images.open(top)) {
            ByteBuffer own = ByteBuffer.allocate(65536);
            image.readFully(own, 0);
            assertThat(own.array()).containsOnly(0x71);
            long parentCid = (Long) image.info().formatSpecific().get("parent-cid");
            assertThatThrownBy(() -> image.readFully(ByteBuffer.allocate(512), 65536))
                    .isInstanceOf(BackingChainException.class)
                    .hasMessage(String.format("%s: cannot read guest offset 65536 from the parent: its parent "
                            + "'base.vmdk' has CID %08x, but the delta disk was made over CID %08x (parentCID): "
                            + "the parent changed since, and QEMU refuses to read through it", top, newCid,
                            parentCid));
            // the map, as qemu-img map, does not look at CIDs
            assertThat(image.blockStatus(65536, 65536).depth()).isEqualTo(1);
        }
    }

    @Test
    void aParentOfAnotherFormatHasNoCidToMatch() throws Exception {
        Path raw = Fixtures.write(dir.resolve("content.raw"), Fixtures.content(1 << 20, 65536, 43));
        Path parent = dir.resolve("parent.qcow2");
        Qemu.run("qemu-img", "convert", "-O", "qcow2", raw.toString(), parent.toString());
        Fixtures.Hosted hosted = new Fixtures.Hosted();
        hosted.descriptor = Fixtures.descriptor(7, 0x12345678L, "monolithicSparse", "parent.qcow2");
        byte[] own = new byte[1 << 20];
        Arrays.fill(own, 0, 65536, (byte) 0x73);
        Path top = Fixtures.write(dir.resolve("top.vmdk"), hosted.build(own));
        try (Image image = Images.open(top)) {
            assertThat(image.backing()).get().extracting(Image::format).isEqualTo("qcow2");
            assertThat(image.info().backingFormat()).isEqualTo("vmdk");
            ByteBuffer first = ByteBuffer.allocate(65536);
            image.readFully(first, 0);
            assertThat(first.array()).containsOnly(0x73);
            assertThatThrownBy(() -> image.readFully(ByteBuffer.allocate(512), 65536))
                    .isInstanceOf(BackingChainException.class)
                    .hasMessageContaining("its parent 'parent.qcow2' is a qcow2 image, not a VMDK: it has no CID to "
                            + "match the delta's parentCID 12345678, and QEMU reads through no parent without one");
        }
    }

    @Test
    void aChainThroughThreeFormats() throws Exception {
        Path base = base();
        Path layer = Fixtures.write(dir.resolve("middle.layer"), LayerFormatProvider.layer(4 << 20,
                "data 131072 4096 170", "backing base.vmdk vmdk"));
        Path top = dir.resolve("top.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "base.vmdk", "-F", "vmdk", top.toString(), "4M");
        Qemu.io(top, "qcow2", "write -P 0x74 8k 4k");
        Qemu.run("qemu-img", "rebase", "-q", "-u", "-f", "qcow2", "-b", "middle.layer", "-F", "qcow2",
                top.toString());
        byte[] expected = Files.readAllBytes(Qemu.toRaw(base, dir.resolve("base.raw")));
        // qemu-io's write copied the rest of its 64 KiB cluster up from the VMDK before the layer came between
        Arrays.fill(expected, 131072, 135168, (byte) 170);
        Arrays.fill(expected, 8192, 12288, (byte) 0x74);
        ImageFormats formats = ImageFormats.of(new Qcow2FormatProvider(), new RawFormatProvider(),
                new LayerFormatProvider(), new VmdkFormatProvider());
        // the qcow2 header declares its backing file qcow2: probe it instead, as the layer is no qcow2
        declareBackingFormat(top, "layer");
        try (Image image = formats.open(top)) {
            ByteBuffer all = ByteBuffer.allocate(expected.length);
            image.readFully(all, 0);
            assertThat(all.array()).isEqualTo(expected);
            BlockStatus fromVmdk = image.blockStatus(1 << 20, 4096);
            assertThat(fromVmdk.depth()).isEqualTo(2);
            assertThat(fromVmdk.allocation()).isNotEqualTo(Allocation.UNALLOCATED);
        }
        assertThat(layer).exists();
    }

    /** Rewrites the backing format header extension of a qcow2 image, which says "qcow2", to a 5-letter name. */
    private static void declareBackingFormat(Path image, String format) throws Exception {
        byte[] bytes = Files.readAllBytes(image);
        ByteBuffer header = ByteBuffer.wrap(bytes);
        for (int at = 72; at + 13 <= 4096; at += 4) {
            if (header.getInt(at) == 0xe2792aca && header.getInt(at + 4) == 5) {
                System.arraycopy(format.getBytes(StandardCharsets.US_ASCII), 0, bytes, at + 8, 5);
                Files.write(image, bytes);
                return;
            }
        }
        throw new AssertionError("no backing format extension in " + image);
    }

    @Test
    void aDeltaThatIsItsOwnParentLoops() throws Exception {
        Fixtures.Hosted hosted = new Fixtures.Hosted();
        hosted.descriptor = Fixtures.descriptor(7, 7, "monolithicSparse", "self.vmdk");
        Path self = Fixtures.write(dir.resolve("self.vmdk"), hosted.build(new byte[1 << 20]));
        assertThatThrownBy(() -> Images.open(self)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("backing chain loops");
    }

    @Test
    void theChainsDepthIsBounded() throws Exception {
        Path base = base();
        Path middle = VmdkTools.delta(dir.resolve("middle.vmdk"), base);
        Path top = VmdkTools.delta(dir.resolve("top.vmdk"), middle);
        assertThatThrownBy(() -> Images.open(top, OpenOptions.builder().maxChainDepth(2).build()))
                .isInstanceOf(ImageLimitException.class).hasMessageContaining("backing chain deeper than 2 images");
        try (Image image = Images.open(top, OpenOptions.builder().maxChainDepth(3).build())) {
            assertThat(image.files()).containsExactly(top);
        }
    }

    @Test
    void aMissingParentIsNamed() throws Exception {
        Path base = base();
        Path top = VmdkTools.delta(dir.resolve("top.vmdk"), base);
        Files.delete(base);
        assertThatThrownBy(() -> Images.open(top)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("backing file " + base + " does not exist");
    }

    @Test
    void aParentInAnotherDirectoryIsFoundFromTheDelta() throws Exception {
        Path base = base();
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Fixtures.Hosted hosted = new Fixtures.Hosted();
        hosted.descriptor = Fixtures.descriptor(9, cid(base), "monolithicSparse", "../base.vmdk");
        Path top = Fixtures.write(sub.resolve("top.vmdk"), hosted.build(new byte[4 << 20]));
        Path reference = Qemu.toRaw(top, dir.resolve("reference.raw"));
        try (Image image = Images.open(top)) {
            ImageAsserts.assertReadsLike(image, reference);
            ImageAsserts.assertInfoLike(image, top);
        }
    }
    /**
     * VMware Workstation on Windows names a linked clone's parent by its Windows path. QEMU takes "C:" for a
     * protocol and reads nothing; the parent is found where the VM's files were copied together, beside the delta.
     */
    @Test
    void aWindowsAbsoluteParentHintFindsTheParentBesideTheDelta() throws Exception {
        Path base = base();
        byte[] expected = Files.readAllBytes(Qemu.toRaw(base, dir.resolve("base.raw")));
        Path top = windowsDelta(dir.resolve("top.vmdk"), "C:\\Users\\me\\Virtual Machines\\base\\base.vmdk",
                cid(base), expected);
        assertThat(Qemu.runForFailure("qemu-img", "convert", "-O", "raw", top.toString(),
                dir.resolve("x.raw").toString())).contains("Unknown protocol 'C'");
        try (Image image = Images.open(top)) {
            assertThat(image.backing().orElseThrow().files()).containsExactly(base);
            ByteBuffer all = ByteBuffer.allocate(expected.length);
            image.readFully(all, 0);
            assertThat(all.array()).isEqualTo(expected);
            assertThat(image.info().backingFilename())
                    .isEqualTo("C:\\Users\\me\\Virtual Machines\\base\\base.vmdk");
        }
        Files.delete(base);
        assertThatThrownBy(() -> Images.open(top)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("backing file " + base.toAbsolutePath() + " does not exist");
    }

    /** A relative parent hint written on Windows goes through backslashes, which name directories there. */
    @Test
    void aWindowsRelativeParentHintGoesThroughItsBackslashes() throws Exception {
        Files.createDirectory(dir.resolve("base"));
        Files.createDirectory(dir.resolve("clone"));
        Path raw = Fixtures.write(dir.resolve("content.raw"), Fixtures.content(4 << 20, 65536, 44));
        Path base = VmdkTools.convert(raw, dir.resolve("base").resolve("base.vmdk"));
        byte[] expected = Files.readAllBytes(raw);
        Path top = windowsDelta(dir.resolve("clone").resolve("clone.vmdk"), "..\\base\\base.vmdk", cid(base),
                expected);
        try (Image image = Images.open(top)) {
            ByteBuffer all = ByteBuffer.allocate(expected.length);
            image.readFully(all, 0);
            assertThat(all.array()).isEqualTo(expected);
        }
    }

    /** A linked clone's absolute hint finds the parent in its own VM's folder beside the clone's folder. */
    @Test
    void aWindowsAbsoluteParentHintFindsTheParentInItsFolderBesideTheClones() throws Exception {
        Files.createDirectory(dir.resolve("Base VM"));
        Files.createDirectory(dir.resolve("clone"));
        Path raw = Fixtures.write(dir.resolve("content.raw"), Fixtures.content(4 << 20, 65536, 45));
        Path base = VmdkTools.convert(raw, dir.resolve("Base VM").resolve("base.vmdk"));
        byte[] expected = Files.readAllBytes(raw);
        Path top = windowsDelta(dir.resolve("clone").resolve("clone.vmdk"), "D:\\VMs\\Base VM\\base.vmdk",
                cid(base), expected);
        try (Image image = Images.open(top)) {
            // found as clone/../Base VM/base.vmdk: ".." is left to the file system, which knows its links
            assertThat(image.backing().orElseThrow().files()).extracting(Path::normalize)
                    .containsExactly(base.toAbsolutePath().normalize());
            ByteBuffer all = ByteBuffer.allocate(expected.length);
            image.readFully(all, 0);
            assertThat(all.array()).isEqualTo(expected);
        }
    }

    /**
     * A monolithicSparse delta over a parent named {@code hint}, of 4 MiB, whose grains 1 and 40 it holds itself:
     * {@code expected}, the parent's bytes, becomes what the delta reads.
     */
    private static Path windowsDelta(Path path, String hint, long parentCid, byte[] expected) throws Exception {
        byte[] own = new byte[4 << 20];
        for (int grain : new int[] {1, 40}) {
            Arrays.fill(own, grain * 65536, (grain + 1) * 65536, (byte) (0x40 + grain));
            Arrays.fill(expected, grain * 65536, (grain + 1) * 65536, (byte) (0x40 + grain));
        }
        Fixtures.Hosted hosted = new Fixtures.Hosted();
        hosted.descriptor = Fixtures.descriptor(0x11223344L, parentCid, "monolithicSparse", hint);
        return Fixtures.write(path, hosted.build(own));
    }
}
