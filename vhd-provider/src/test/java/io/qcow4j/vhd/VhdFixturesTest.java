package io.qcow4j.vhd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Allocation;
import io.qcow4j.BackingChainException;
import io.qcow4j.BlockStatus;
import io.qcow4j.FilePolicy;
import io.qcow4j.Image;
import io.qcow4j.ImageFormats;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.testing.Bytes;
import io.qcow4j.testing.Qemu;
import io.qcow4j.testing.Libvhdi;
import io.qcow4j.testing.QemuReference;

/**
 * VHDs as Windows, Virtual PC and Hyper-V write them, made by {@link VhdBuilder}: their expected bytes are computed
 * here from the specification, and checked against libvhdi where qemu-img reads them otherwise.
 */
class VhdFixturesTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new VhdFormatProvider());
    private static final int BLOCK = 2 << 20;
    private static final long SIZE = 3L * BLOCK;
    private static final byte[] PARENT_UUID = VhdBuilder.uuid(5);

    @TempDir
    Path dir;

    static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 7 + seed + i / 4093);
        }
        return bytes;
    }

    private Path parent() throws IOException {
        byte[] data = pattern((int) SIZE, 1);
        VhdBuilder parent = VhdBuilder.dynamic(SIZE).uuid(PARENT_UUID);
        for (int b = 0; b < 3; b++) {
            parent.block(b, Arrays.copyOfRange(data, b * BLOCK, (b + 1) * BLOCK));
        }
        return Files.write(dir.resolve("parent.vhd"), parent.build());
    }

    /**
     * Block 0: runs of 8 sectors alternately from the child and the parent (whole bitmap bytes, which libvhdi
     * 20210425 reads as this reader does; it misreads bits within a byte); block 1 from the parent; block 2 from the
     * child.
     */
    private VhdBuilder child() {
        byte[] bitmap = new byte[512];
        for (int i = 0; i < 512; i += 2) {
            bitmap[i] = (byte) 0xff;
        }
        return VhdBuilder.differencing(SIZE).uuid(VhdBuilder.uuid(9))
                .parent(PARENT_UUID, "parent.vhd")
                .windowsLocator(ParentLocator.W2KU, "C:\\Hyper-V\\Virtual Hard Disks\\parent.vhd")
                .windowsLocator(ParentLocator.W2RU, ".\\parent.vhd")
                .block(0, bitmap, pattern(BLOCK, 50))
                .block(2, pattern(BLOCK, 90));
    }

    private static byte[] childExpected() {
        byte[] expected = pattern((int) SIZE, 1);
        byte[] first = pattern(BLOCK, 50);
        for (int sector = 0; sector < BLOCK / 512; sector++) {
            if (sector % 16 < 8) {
                System.arraycopy(first, sector * 512, expected, sector * 512, 512);
            }
        }
        System.arraycopy(pattern(BLOCK, 90), 0, expected, 2 * BLOCK, BLOCK);
        return expected;
    }

    @Test
    void differencingDiskReadsItsParentThroughTheChain() throws Exception {
        parent();
        Path child = Files.write(dir.resolve("child.vhd"), child().build());
        byte[] expected = childExpected();
        try (Image image = FORMATS.open(child)) {
            QemuReference.assertReads(image, expected);
            assertThat(image.backing()).isPresent();
            assertThat(image.info().backingFilename()).isEqualTo("parent.vhd");
            assertThat(image.info().fullBackingFilename()).isEqualTo(dir.resolve("parent.vhd"));
            List<BlockStatus> map = image.map(0, SIZE);
            assertThat(map.get(0)).isEqualTo(new BlockStatus(0, 4096, Allocation.DATA, false, 0, map.get(0)
                    .hostOffset()));
            assertThat(map.get(1)).isEqualTo(new BlockStatus(4096, 4096, Allocation.DATA, false, 1,
                    map.get(1).hostOffset()));
            assertThat(image.blockStatus(BLOCK, SIZE).depth()).isEqualTo(1);
            assertThat(image.blockStatus(2L * BLOCK, SIZE).depth()).isZero();
        }
        // libvhdi 20210425 is no reference here: its vhdimount reads every sector of a differencing VHD (this one,
        // a whole block of the child's included) from the parent
    }

    @Test
    void qemuImgReadsZerosWhereTheParentHasData() throws Exception {
        Qemu.require("qemu-img");
        parent();
        Path child = Files.write(dir.resolve("child.vhd"), child().build());
        byte[] qemu = QemuReference.raw(child, "vpc");
        // the gap this provider closes: qemu-img opens the child alone, and block 1 reads as zeros
        assertThat(Arrays.copyOfRange(qemu, BLOCK, 2 * BLOCK)).containsOnly(0);
        assertThat(Arrays.copyOfRange(childExpected(), BLOCK, 2 * BLOCK)).isNotEqualTo(new byte[BLOCK]);
    }

    @Test
    void relativeAbsoluteAndMacLocatorsEachFindTheParent() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("disks"));
        Files.write(sub.resolve("base.vhd"), Files.readAllBytes(parent()));
        byte[] expected = pattern((int) SIZE, 1);
        List<VhdBuilder> children = List.of(
                VhdBuilder.differencing(SIZE).parent(PARENT_UUID, "")
                        .windowsLocator(ParentLocator.W2RU, ".\\disks\\base.vhd"),
                VhdBuilder.differencing(SIZE).parent(PARENT_UUID, "")
                        .windowsLocator(ParentLocator.W2KU, "D:\\somewhere\\else\\parent.vhd"),
                VhdBuilder.differencing(SIZE).parent(PARENT_UUID, "")
                        .macLocator("file://localhost" + sub.resolve("base.vhd").toUri().getRawPath()));
        for (VhdBuilder builder : children) {
            Path child = Files.write(dir.resolve("child.vhd"), builder.build());
            try (Image image = FORMATS.open(child)) {
                Bytes.assertReadsAs(image, expected);
            }
        }
    }

    @Test
    void aParentOfAnotherUuidIsRefusedByName() throws Exception {
        parent();
        Path child = Files.write(dir.resolve("child.vhd"), VhdBuilder.differencing(SIZE)
                .parent(VhdBuilder.uuid(6), "parent.vhd").build());
        assertThatThrownBy(() -> FORMATS.open(child)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("no parent file matches the image: [parent.vhd (its UUID 05050505-0505-4005-"
                        + "0505-050505050505 is not the parent UUID 06060606-0606-4006-0606-060606060606)]");
    }

    @Test
    void aMissingParentFailsUnlessBackingFilesAreNotFollowed() throws Exception {
        Path child = Files.write(dir.resolve("child.vhd"), child().build());
        assertThatThrownBy(() -> FORMATS.open(child)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("parent.vhd");
        try (Image image = FORMATS.open(child, OpenOptions.builder().followBacking(false).build())) {
            assertThat(image.backing()).isEmpty();
            assertThat(image.info().backingFilename()).isEqualTo("parent.vhd");
            assertThat(image.blockStatus(BLOCK, SIZE)).isEqualTo(new BlockStatus(BLOCK, BLOCK,
                    Allocation.UNALLOCATED, false, 0, -1));
        }
    }

    @Test
    void theHostsPolicySeesTheParent() throws Exception {
        parent();
        Path child = Files.write(dir.resolve("child.vhd"), child().build());
        assertThatThrownBy(() -> FORMATS.open(child, OpenOptions.builder()
                .filePolicy(FilePolicy.refuseOtherFiles()).build())).isInstanceOf(UnsafeImageException.class);
    }

    @Test
    void aDiskThatIsItsOwnParentIsALoop() throws Exception {
        Path child = dir.resolve("self.vhd");
        Files.write(child, VhdBuilder.differencing(SIZE).uuid(PARENT_UUID).parent(PARENT_UUID, "self.vhd").build());
        assertThatThrownBy(() -> FORMATS.open(child)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("loop");
    }

    @Test
    void virtualPcDisksAreSizedByTheirGeometryAsQemuImgDoes() throws Exception {
        // 20 cylinders, 16 heads, 17 sectors: 5440 sectors, less than the footer's 3 MiB
        byte[] data = pattern(3 << 20, 3);
        Path disk = Files.write(dir.resolve("vpc.vhd"), VhdBuilder.fixed(data).creator("vpc ")
                .geometry(20, 16, 17).build());
        try (Image image = FORMATS.open(disk)) {
            assertThat(image.size()).isEqualTo(5440L * 512);
            assertThat(image.info().formatSpecific()).containsEntry("footer-current-size", 3L << 20);
            Bytes.assertReadsAs(image, Arrays.copyOf(data, 5440 * 512));
        }
        Qemu.require("qemu-img");
        Bytes.assertSame(QemuReference.raw(disk, "vpc"), Arrays.copyOf(data, 5440 * 512));
    }

    @Test
    void hyperVDisksAreSizedByTheFooterAndProbedByIt() throws Exception {
        byte[] data = pattern(3 << 20, 4);
        Path disk = Files.write(dir.resolve("azure.vhd"), VhdBuilder.fixed(data).creator("win ")
                .geometry(20, 16, 17).build());
        try (Image image = FORMATS.open(disk)) {
            assertThat(image.format()).isEqualTo("vpc");
            assertThat(image.info().formatSpecific()).isEmpty();
            Bytes.assertReadsAs(image, data);
        }
    }

    @Test
    void bitsWithinABitmapByteCountFromTheTopBit() throws Exception {
        parent();
        byte[] bitmap = new byte[512];
        bitmap[0] = (byte) 0xa0;
        Path child = Files.write(dir.resolve("child.vhd"), VhdBuilder.differencing(SIZE)
                .parent(PARENT_UUID, "parent.vhd").block(0, bitmap, pattern(BLOCK, 60)).build());
        byte[] expected = pattern((int) SIZE, 1);
        System.arraycopy(pattern(BLOCK, 60), 0, expected, 0, 512);
        System.arraycopy(pattern(BLOCK, 60), 1024, expected, 1024, 512);
        try (Image image = FORMATS.open(child)) {
            Bytes.assertReadsAs(image, expected);
            assertThat(image.map(0, 4096)).extracting(BlockStatus::length, BlockStatus::depth).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(512L, 0), org.assertj.core.groups.Tuple.tuple(512L, 1),
                    org.assertj.core.groups.Tuple.tuple(512L, 0), org.assertj.core.groups.Tuple.tuple(2560L, 1));
        }
    }

    @Test
    void dynamicDisksReadClearBitsAsZero() throws Exception {
        byte[] bitmap = new byte[512];
        bitmap[0] = (byte) 0xff;
        Path disk = Files.write(dir.resolve("dynamic.vhd"), VhdBuilder.dynamic(SIZE)
                .block(1, bitmap, pattern(BLOCK, 8)).build());
        byte[] expected = new byte[(int) SIZE];
        System.arraycopy(pattern(4096, 8), 0, expected, BLOCK, 4096);
        try (Image image = FORMATS.open(disk)) {
            Bytes.assertReadsAs(image, expected);
            assertThat(image.map(0, SIZE)).extracting(BlockStatus::allocation)
                    .containsExactly(Allocation.ZERO, Allocation.DATA, Allocation.ZERO);
        }
        Libvhdi.require();
        Bytes.assertSame(Libvhdi.read(disk, dir), expected);
    }

    @Test
    void azureVirtualBoxAndOtherCreatorsAreSizedByTheFooter() throws Exception {
        // QEMU 10 sizes by the geometry only what Virtual PC and old QEMU wrote; 7.2 also cut Azure's "wa\0\0"
        // disks (and any creator it did not list) to their geometry, 2785280 bytes here
        byte[] data = pattern(3 << 20, 5);
        for (String creator : List.of("wa\0\0", "vbox", "tap\0", "CTXS", "d2v ", "qem2")) {
            Path disk = Files.write(dir.resolve("creator.vhd"), VhdBuilder.fixed(data).creator(creator)
                    .geometry(20, 16, 17).build());
            try (Image image = FORMATS.open(disk)) {
                assertThat(image.size()).as(creator).isEqualTo(3L << 20);
                assertThat(image.info().formatSpecific()).as(creator).isEmpty();
                Bytes.assertReadsAs(image, data);
            }
        }
        Libvhdi.require();
        Path azure = Files.write(dir.resolve("azure.vhd"), VhdBuilder.fixed(data).creator("wa\0\0")
                .geometry(20, 16, 17).build());
        Bytes.assertSame(Libvhdi.read(azure, dir), data);
    }

    @Test
    void qemuDisksAreSizedByTheirGeometry() throws Exception {
        Path disk = Files.write(dir.resolve("qemu.vhd"), VhdBuilder.dynamic(SIZE).creator("qemu")
                .geometry(20, 16, 17).block(0, pattern(BLOCK, 6)).build());
        try (Image image = FORMATS.open(disk)) {
            assertThat(image.size()).isEqualTo(5440L * 512);
            assertThat(image.info().formatSpecific()).containsEntry("footer-current-size", SIZE);
            Bytes.assertReadsAs(image, Arrays.copyOf(pattern(BLOCK, 6), 5440 * 512));
        }
        Qemu.require("qemu-img");
        Bytes.assertSame(QemuReference.raw(disk, "vpc"), Arrays.copyOf(pattern(BLOCK, 6), 5440 * 512));
    }

    /** A fixed disk as Virtual PC before 2004 wrote it: its footer 511 bytes, without the saved-state byte. */
    private static byte[] oldVirtualPc(byte[] data, byte[] uuid) {
        byte[] image = VhdBuilder.fixed(data).creator("vpc ").geometry(20, 16, 18).uuid(uuid).build();
        return Arrays.copyOf(image, image.length - 1);
    }

    @Test
    void oldVirtualPcFootersOf511BytesAreProbedAndRead() throws Exception {
        byte[] data = pattern(20 * 16 * 18 * 512, 7);
        Path disk = Files.write(dir.resolve("vpc2003.vhd"), oldVirtualPc(data, VhdBuilder.uuid(3)));
        try (Image image = FORMATS.open(disk)) {
            assertThat(image.format()).isEqualTo("vpc");
            assertThat(image.size()).isEqualTo(data.length);
            Bytes.assertReadsAs(image, data);
        }
        Qemu.require("qemu-img");
        Bytes.assertSame(QemuReference.raw(disk, "vpc"), data);
    }

    @Test
    void aParentWithA511ByteFooterHasItsUuidChecked() throws Exception {
        byte[] data = pattern((int) SIZE, 8);
        Files.write(dir.resolve("parent.vhd"), oldVirtualPc(Arrays.copyOf(data, (int) SIZE), PARENT_UUID));
        Path child = Files.write(dir.resolve("child.vhd"), VhdBuilder.differencing(SIZE)
                .parent(VhdBuilder.uuid(6), "parent.vhd").build());
        assertThatThrownBy(() -> FORMATS.open(child)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("(its UUID 05050505-0505-4005-0505-050505050505 is not the parent UUID "
                        + "06060606-0606-4006-0606-060606060606)");
        Files.write(child, VhdBuilder.differencing(SIZE).parent(PARENT_UUID, "parent.vhd").build());
        try (Image image = FORMATS.open(child)) {
            assertThat(image.backing().orElseThrow().format()).isEqualTo("vpc");
            // the parent is as large as its geometry, past which it reads as zeros
            Bytes.assertReadsAs(image, Arrays.copyOf(Arrays.copyOf(data, 20 * 16 * 18 * 512), (int) SIZE));
        }
    }

    /** A child beside {@code dir/sr/NAME} that only a MacX locator of {@code url} names. */
    private void assertMacLocatorFinds(String name, String url) throws Exception {
        Path parent = dir.resolve("sr").resolve(name);
        Files.createDirectories(parent.getParent());
        Files.write(parent, Files.readAllBytes(parent()));
        Path child = Files.write(dir.resolve("child.vhd"), VhdBuilder.differencing(SIZE).creator("tap\0")
                .parent(PARENT_UUID, name).macLocator(url).build());
        try (Image image = FORMATS.open(child)) {
            assertThat(image.info().fullBackingFilename()).as(url).isEqualTo(parent);
            Bytes.assertReadsAs(image, pattern((int) SIZE, 1));
        }
    }

    @Test
    void xenServerMacLocatorsAreRelativeToTheChild() throws Exception {
        // blktap writes "file://" and the path relative to the child; the header's name alone does not find it here
        assertMacLocatorFinds("base.vhd", "file://./sr/base.vhd");
        assertMacLocatorFinds("base.vhd", "file://sr/base.vhd");
        assertMacLocatorFinds("base.vhd", "file://" + dir.resolve("sr/base.vhd"));
        assertMacLocatorFinds("base.vhd", "file://localhost" + dir.resolve("sr/base.vhd"));
    }

    @Test
    void aMacLocatorsEscapesAreDecodedAndABarePercentSignKept() throws Exception {
        // macOS escapes a URL's path; blktap writes a name as it is, and a '%' of its own is no escape
        assertMacLocatorFinds("base 100%.vhd", "file://localhost" + dir.toUri().getRawPath()
                + "sr/base%20100%25.vhd");
        assertMacLocatorFinds("base 100%.vhd", "file://./sr/base 100%.vhd");
    }

    @Test
    void xenServerLayoutBatmapAndBlocksInReverseOrder() throws Exception {
        Path disk = Files.write(dir.resolve("tap.vhd"), VhdBuilder.dynamic(SIZE).creator("tap\0").xenServer()
                .block(0, pattern(BLOCK, 11)).block(2, pattern(BLOCK, 12)).build());
        byte[] expected = new byte[(int) SIZE];
        System.arraycopy(pattern(BLOCK, 11), 0, expected, 0, BLOCK);
        System.arraycopy(pattern(BLOCK, 12), 0, expected, 2 * BLOCK, BLOCK);
        try (Image image = FORMATS.open(disk)) {
            Bytes.assertReadsAs(image, expected);
        }
        Qemu.require("qemu-img");
        Bytes.assertSame(QemuReference.raw(disk, "vpc"), expected);
    }

    @Test
    void blocksOfOtherSizesThanTwoMebibytes() throws Exception {
        for (int blockSize : new int[] {512, 4096, 512 << 10, 4 << 20}) {
            long size = 4L * Math.max(blockSize, 1 << 20);
            VhdBuilder builder = VhdBuilder.dynamic(size).blockSize(blockSize);
            byte[] expected = new byte[(int) size];
            for (int b = 1; b < size / blockSize; b += 3) {
                byte[] data = pattern(blockSize, b);
                builder.block(b, data);
                System.arraycopy(data, 0, expected, b * blockSize, blockSize);
            }
            Path disk = Files.write(dir.resolve("blocks.vhd"), builder.build());
            try (Image image = FORMATS.open(disk)) {
                assertThat(image.info().clusterSize()).isEqualTo(blockSize);
                Bytes.assertReadsAs(image, expected);
            }
            // qemu-img rounds the bitmap of a block under 4 KiB down to no sector at all, and reads it as the data;
            // the specification pads it to a sector, as this reader does (vhdimount fails with an I/O error)
            if (blockSize >= 4096 && Qemu.checksWith("qemu-img")) {
                Bytes.assertSame(QemuReference.raw(disk, "vpc"), expected);
            }
        }
    }

    @Test
    void aDynamicDiskReadsFromItsFirstFooterCopyWhereTheLastIsLostOrDamaged() throws Exception {
        byte[] image = VhdBuilder.dynamic(SIZE).block(1, pattern(BLOCK, 13)).build();
        byte[] expected = new byte[(int) SIZE];
        System.arraycopy(pattern(BLOCK, 13), 0, expected, BLOCK, BLOCK);
        byte[] damaged = image.clone();
        damaged[damaged.length - 400] ^= 1;
        for (byte[] bytes : List.of(Arrays.copyOf(image, image.length - 512), damaged)) {
            Path disk = Files.write(dir.resolve("dynamic.vhd"), bytes);
            try (Image opened = FORMATS.open(disk)) {
                Bytes.assertReadsAs(opened, expected);
            }
            if (Qemu.checksWith("qemu-img")) {
                Bytes.assertSame(QemuReference.raw(disk, "vpc"), expected);
            }
        }
    }

    @Test
    void deprecatedAnsiLocatorsFindTheParent() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("disks"));
        Files.write(sub.resolve("base.vhd"), Files.readAllBytes(parent()));
        Path child = Files.write(dir.resolve("child.vhd"), VhdBuilder.differencing(SIZE).parent(PARENT_UUID, "")
                .locator(ParentLocator.WI2R, ".\\disks\\base.vhd\0".getBytes(StandardCharsets.ISO_8859_1))
                .build());
        try (Image image = FORMATS.open(child)) {
            assertThat(image.info().fullBackingFilename()).isEqualTo(sub.resolve("base.vhd"));
            Bytes.assertReadsAs(image, pattern((int) SIZE, 1));
        }
    }

    @Test
    void qemuImgReadsTheStoredBytesWhereADynamicDisksBitIsClear() throws Exception {
        // the other side of dynamicDisksReadClearBitsAsZero: qemu-img never reads a bitmap (it sets every bit of a
        // block it allocates), so its reads of another writer's block with clear bits differ from the specification's
        // and libvhdi's, which this reader follows
        Qemu.require("qemu-img");
        byte[] bitmap = new byte[512];
        bitmap[0] = (byte) 0xff;
        Path disk = Files.write(dir.resolve("dynamic.vhd"), VhdBuilder.dynamic(SIZE)
                .block(1, bitmap, pattern(BLOCK, 8)).build());
        byte[] qemu = QemuReference.raw(disk, "vpc");
        assertThat(Arrays.copyOfRange(qemu, BLOCK, 2 * BLOCK)).isEqualTo(pattern(BLOCK, 8));
    }
}
