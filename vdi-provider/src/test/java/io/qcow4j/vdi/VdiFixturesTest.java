package io.qcow4j.vdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Allocation;
import io.qcow4j.BackingChainException;
import io.qcow4j.BlockStatus;
import io.qcow4j.FilePolicy;
import io.qcow4j.Image;
import io.qcow4j.ImageFormats;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnknownFormatException;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.testing.Bytes;
import io.qcow4j.testing.Qemu;
import io.qcow4j.testing.QemuReference;

/** VDIs as VirtualBox releases write them, and differencing chains, made by {@link VdiBuilder}. */
class VdiFixturesTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new VdiFormatProvider());
    private static final int BLOCK = 1 << 20;
    private static final long SIZE = 3L * BLOCK + 4096;

    @TempDir
    Path dir;

    static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 13 + seed + i / 509);
        }
        return bytes;
    }

    /** Blocks 0 and 2 stored (in the order 2, 0 in the file), 1 free, 3 zero. */
    private static VdiBuilder base(VdiBuilder builder) {
        return builder.block(2, pattern(BLOCK, 2)).block(0, pattern(BLOCK, 1)).zeroBlock(3);
    }

    private static byte[] baseBytes() {
        byte[] expected = new byte[(int) SIZE];
        System.arraycopy(pattern(BLOCK, 1), 0, expected, 0, BLOCK);
        System.arraycopy(pattern(BLOCK, 2), 0, expected, 2 * BLOCK, BLOCK);
        return expected;
    }

    @Test
    void everyHeaderVersionAndBannerReads() throws Exception {
        VdiBuilder[] builders = {
            new VdiBuilder(SIZE),
            new VdiBuilder(SIZE).banner("<<< Sun xVM VirtualBox Disk Image >>>\n").headerSize(384),
            new VdiBuilder(SIZE).banner("<<< innotek VirtualBox Disk Image >>>\n").version0(),
            new VdiBuilder(SIZE).banner("<<< QEMU VM Virtual Disk Image >>>\n").blockExtra(4096),
            new VdiBuilder(SIZE).type(VdiHeader.TYPE_STATIC),
        };
        for (VdiBuilder builder : builders) {
            Path image = Files.write(dir.resolve("disk.vdi"), base(builder).build());
            try (Image opened = FORMATS.open(image)) {
                Bytes.assertReadsAs(opened, baseBytes());
                QemuReference.assertZeroRunsReadZero(opened, baseBytes());
            }
        }
    }

    /**
     * VirtualBox reads a pre-header of version 0.2 (the first releases, VDIHEADER0) and of any 1.x with the version 1
     * header, whatever its minor: VDI.cpp's vdiValidatePreHeader and vdiImageReadHeader.
     */
    @Test
    void theVersionsVirtualBoxReadsAreRead() throws Exception {
        for (int version : new int[] {0x00000002, 0x00010000, 0x00010001, 0x00010002}) {
            Path image = Files.write(dir.resolve("disk.vdi"), base(new VdiBuilder(SIZE).version(version)).build());
            try (Image opened = FORMATS.open(image)) {
                Bytes.assertReadsAs(opened, baseBytes());
            }
        }
    }

    /**
     * As VirtualBox 4 and later write: map and data on 1 MiB, a static image's blocks in any order, and with extra
     * bytes before each block, a partial last block.
     */
    @Test
    void mapAndDataAnywhereAndBlocksInAnyOrder() throws Exception {
        VdiBuilder[] builders = {
            new VdiBuilder(SIZE).align(1 << 20),
            new VdiBuilder(SIZE).align(1 << 20).type(VdiHeader.TYPE_STATIC).block(1, new byte[BLOCK]),
            new VdiBuilder(SIZE).align(4096).blockExtra(512).headerSize(512),
        };
        for (VdiBuilder builder : builders) {
            Path image = Files.write(dir.resolve("disk.vdi"), base(builder).build());
            try (Image opened = FORMATS.open(image)) {
                Bytes.assertReadsAs(opened, baseBytes());
            }
        }
        Qemu.require("qemu-img");
        Path image = Files.write(dir.resolve("disk.vdi"), base(new VdiBuilder(SIZE).align(1 << 20)).build());
        Bytes.assertSame(QemuReference.raw(image, "vdi"), baseBytes());
    }

    @Test
    void qemuImgReadsTheVersion11ImagesAlike() throws Exception {
        Qemu.require("qemu-img");
        for (VdiBuilder builder : new VdiBuilder[] {new VdiBuilder(SIZE), new VdiBuilder(SIZE).headerSize(384)}) {
            Path image = Files.write(dir.resolve("disk.vdi"), base(builder).build());
            Bytes.assertSame(QemuReference.raw(image, "vdi"), baseBytes());
        }
    }

    /**
     * 'VBoxManage convertfromraw' writes the raw file's size, which may end inside a sector: qemu-img rounds it up to
     * a whole sector (VirtualBox itself down), and the bytes of the block there are read.
     */
    @Test
    void aDiskSizeInsideASectorIsRoundedUpAsQemuImgDoes() throws Exception {
        long odd = 2L * BLOCK + 1000;
        Path image = Files.write(dir.resolve("odd.vdi"), new VdiBuilder(odd).block(2, pattern(BLOCK, 5)).build());
        byte[] expected = new byte[2 * BLOCK + 1024];
        System.arraycopy(pattern(BLOCK, 5), 0, expected, 2 * BLOCK, 1024);
        try (Image opened = FORMATS.open(image)) {
            assertThat(opened.size()).isEqualTo(2L * BLOCK + 1024);
            Bytes.assertReadsAs(opened, expected);
        }
        Qemu.require("qemu-img");
        Bytes.assertSame(QemuReference.raw(image, "vdi"), expected);
    }

    private Path chain() throws Exception {
        Files.write(dir.resolve("base.vdi"), base(new VdiBuilder(SIZE).uuid(VdiBuilder.uuid(1))).build());
        Files.write(dir.resolve("decoy.vdi"), new VdiBuilder(SIZE).uuid(VdiBuilder.uuid(2)).build());
        Files.write(dir.resolve("notes.txt.vdi"), new byte[10]);
        // block 0 its own, block 1 zero (a parent with data there would be hidden), blocks 2 and 3 from the parent
        return Files.write(dir.resolve("child.vdi"), new VdiBuilder(SIZE).uuid(VdiBuilder.uuid(3))
                .parent(VdiBuilder.uuid(1)).block(0, pattern(BLOCK, 9)).zeroBlock(1).build());
    }

    private static byte[] chainBytes() {
        byte[] expected = baseBytes();
        System.arraycopy(pattern(BLOCK, 9), 0, expected, 0, BLOCK);
        return expected;
    }

    @Test
    void aDifferencingImageFindsItsParentBesideItByUuid() throws Exception {
        Path child = chain();
        try (Image image = FORMATS.open(child)) {
            Bytes.assertReadsAs(image, chainBytes());
            assertThat(image.info().backingFilename()).isEqualTo("base.vdi");
            assertThat(image.info().fullBackingFilename()).isEqualTo(dir.resolve("base.vdi"));
            assertThat(image.map(0, SIZE)).extracting(BlockStatus::allocation, BlockStatus::depth).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(Allocation.DATA, 0),
                    org.assertj.core.groups.Tuple.tuple(Allocation.ZERO, 0),
                    org.assertj.core.groups.Tuple.tuple(Allocation.DATA, 1),
                    org.assertj.core.groups.Tuple.tuple(Allocation.ZERO, 1));
        }
    }

    @Test
    void theHostMayNameTheParent() throws Exception {
        Path child = chain();
        Path elsewhere = Files.createDirectories(dir.resolve("parents")).resolve("renamed.img");
        Files.move(dir.resolve("base.vdi"), elsewhere);
        assertThatThrownBy(() -> FORMATS.open(child)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("parent, UUID 01010101-0101-0101-0101-010101010101, is not among the VDI files");
        OpenOptions named = OpenOptions.builder().set(VdiOptions.PARENT, "parents/renamed.img").build();
        try (Image image = FORMATS.open(child, named)) {
            Bytes.assertReadsAs(image, chainBytes());
        }
    }

    @Test
    void aNamedParentThatIsAnotherVdiIsRefusedAndOneOfAnotherFormatIsRead() throws Exception {
        Path child = chain();
        Files.write(dir.resolve("other.vdi"), new VdiBuilder(SIZE).uuid(VdiBuilder.uuid(7))
                .block(2, pattern(BLOCK, 5)).build());
        OpenOptions other = OpenOptions.builder().set(VdiOptions.PARENT, "other.vdi").build();
        assertThatThrownBy(() -> FORMATS.open(child, other)).isInstanceOf(BackingChainException.class)
                .hasMessage(child + ": no parent file matches the image: [other.vdi (its UUID "
                        + "07070707-0707-0707-0707-070707070707 is not the parent UUID "
                        + "01010101-0101-0101-0101-010101010101)]");
        // the parent converted to raw keeps its bytes but no UUID: nothing to check, so it goes on to be probed (this
        // test's formats are VDI's alone, which do not read raw)
        Files.write(dir.resolve("base.raw"), baseBytes());
        OpenOptions raw = OpenOptions.builder().set(VdiOptions.PARENT, "base.raw").build();
        assertThatThrownBy(() -> FORMATS.open(child, raw)).isInstanceOf(UnknownFormatException.class)
                .hasMessage(child + ": " + dir.resolve("base.raw") + ": no image format provider recognises the file");
    }

    /**
     * A chain of snapshots, base &lt;- snap1 &lt;- snap2, each naming the one below by UUID: found beside each other, or
     * the host names snap2's parent, and snap1's is still found by UUID (the option is not snap1's).
     */
    @Test
    void aChainOfSnapshotsReadsThroughEveryParent() throws Exception {
        Path child = chain();
        Path grandchild = Files.write(dir.resolve("grandchild.vdi"), new VdiBuilder(SIZE).uuid(VdiBuilder.uuid(4))
                .parent(VdiBuilder.uuid(3)).block(2, pattern(BLOCK, 7)).build());
        byte[] expected = chainBytes();
        System.arraycopy(pattern(BLOCK, 7), 0, expected, 2 * BLOCK, BLOCK);
        try (Image image = FORMATS.open(grandchild)) {
            Bytes.assertReadsAs(image, expected);
            assertThat(image.backing().orElseThrow().backing().orElseThrow().files())
                    .containsExactly(dir.resolve("base.vdi"));
        }
        Path snapshots = Files.createDirectories(dir.resolve("snapshots"));
        Files.move(child, snapshots.resolve("child.vdi"));
        OpenOptions named = OpenOptions.builder().set(VdiOptions.PARENT, "snapshots/child.vdi").build();
        assertThatThrownBy(() -> FORMATS.open(grandchild)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("parent, UUID 03030303-0303-0303-0303-030303030303, is not among");
        Files.move(dir.resolve("base.vdi"), snapshots.resolve("base.vdi"));
        try (Image image = FORMATS.open(grandchild, named)) {
            Bytes.assertReadsAs(image, expected);
        }
    }

    /**
     * VirtualBox's machine folder: the disk in it, the snapshots in its Snapshots folder named by their UUIDs, the
     * first naming the disk, the second the first.
     */
    @Test
    void snapshotsFindTheDiskInTheMachineFolderAboveThem() throws Exception {
        Path machine = Files.createDirectories(dir.resolve("VM"));
        Path snapshots = Files.createDirectories(machine.resolve("Snapshots"));
        Files.write(machine.resolve("VM.vdi"), base(new VdiBuilder(SIZE).uuid(VdiBuilder.uuid(1))).build());
        Files.write(snapshots.resolve("{03030303-0303-0303-0303-030303030303}.vdi"), new VdiBuilder(SIZE)
                .uuid(VdiBuilder.uuid(3)).parent(VdiBuilder.uuid(1)).block(0, pattern(BLOCK, 9)).zeroBlock(1).build());
        Path last = Files.write(snapshots.resolve("{04040404-0404-0404-0404-040404040404}.vdi"), new VdiBuilder(SIZE)
                .uuid(VdiBuilder.uuid(4)).parent(VdiBuilder.uuid(3)).block(2, pattern(BLOCK, 7)).build());
        byte[] expected = chainBytes();
        System.arraycopy(pattern(BLOCK, 7), 0, expected, 2 * BLOCK, BLOCK);
        try (Image image = FORMATS.open(last)) {
            Bytes.assertReadsAs(image, expected);
            Image first = image.backing().orElseThrow();
            assertThat(first.info().backingFilename()).isEqualTo("../VM.vdi");
            assertThat(first.backing().orElseThrow().files()).containsExactly(snapshots.resolve("../VM.vdi"));
        }
        Files.move(machine.resolve("VM.vdi"), dir.resolve("VM.vdi"));
        assertThatThrownBy(() -> FORMATS.open(last)).isInstanceOf(BackingChainException.class).hasMessageContaining(
                "UUID 01010101-0101-0101-0101-010101010101, is not among the VDI files beside it or in the folder above "
                        + "its Snapshots folder");
    }

    @Test
    void theParentIsOpenedOnlyThroughTheHostsPolicy() throws Exception {
        Path child = chain();
        assertThatThrownBy(() -> FORMATS.open(child, OpenOptions.builder()
                .filePolicy(FilePolicy.refuseOtherFiles()).build())).isInstanceOf(UnsafeImageException.class);
        try (Image image = FORMATS.open(child, OpenOptions.builder().followBacking(false).build())) {
            assertThat(image.backing()).isEmpty();
            assertThat(image.blockStatus(2L * BLOCK, BLOCK)).isEqualTo(new BlockStatus(2L * BLOCK, BLOCK,
                    Allocation.UNALLOCATED, false, 0, -1));
        }
    }

    @Test
    void parentsThatNameEachOtherAreALoop() throws Exception {
        Files.write(dir.resolve("a.vdi"), new VdiBuilder(SIZE).uuid(VdiBuilder.uuid(10)).parent(VdiBuilder.uuid(11))
                .build());
        Files.write(dir.resolve("b.vdi"), new VdiBuilder(SIZE).uuid(VdiBuilder.uuid(11)).parent(VdiBuilder.uuid(10))
                .build());
        assertThatThrownBy(() -> FORMATS.open(dir.resolve("a.vdi"))).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("loop");
        Path self = Files.write(dir.resolve("self.vdi"), new VdiBuilder(SIZE).uuid(VdiBuilder.uuid(12))
                .parent(VdiBuilder.uuid(12)).build());
        assertThatThrownBy(() -> FORMATS.open(self)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("is not among the VDI files beside it");
        assertThat(Arrays.asList(dir.toFile().list())).contains("a.vdi");
    }
}
