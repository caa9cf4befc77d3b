package io.qcow4j.vhdx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
import io.qcow4j.vhd.shared.Storage;
import io.qcow4j.testing.Libvhdi;
import io.qcow4j.testing.QemuReference;

/**
 * VHDXs as Hyper-V writes them, made by {@link VhdxBuilder}: differencing disks (which qemu-img refuses), every
 * payload block state, 4096-byte logical sectors, and logs left to replay (which qemu-img refuses read-only), checked
 * against the bytes the specification gives, QEMU's own log replay and libvhdi.
 */
class VhdxFixturesTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new VhdxFormatProvider());
    private static final int MB = VhdxBuilder.MB;

    @TempDir
    Path dir;

    static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 11 + seed + i / 1021);
        }
        return bytes;
    }

    /** An 8 MiB parent of 1 MiB blocks written by qemu-img, and its data write GUID. */
    private Path parent() throws Exception {
        Path parent = dir.resolve("parent.vhdx");
        Qemu.run("qemu-img", "create", "-q", "-f", "vhdx", "-o", "block_size=1M", parent.toString(), "8M");
        Qemu.io(parent, "vhdx", "write -P 0x51 0 8M", "write -P 0x52 3M 100k");
        return parent;
    }

    private static Guid dataWriteGuid(Path image) throws Exception {
        try (io.qcow4j.spi.HostFile file = io.qcow4j.spi.HostFile.open(image)) {
            return VhdxHeader.current(Storage.of(file)).dataWriteGuid();
        }
    }

    private static boolean[] sectors(int count) {
        boolean[] sectors = new boolean[count];
        for (int s = 0; s < count; s++) {
            // whole bitmap bytes alternate, and one byte is split
            sectors[s] = s / 8 % 2 == 0 || s / 8 == 101 && s % 8 < 3;
        }
        return sectors;
    }

    private VhdxBuilder child(Guid linkage) {
        Map<String, String> locator = new LinkedHashMap<>();
        locator.put("parent_linkage", "{" + linkage + "}");
        locator.put("relative_path", ".\\parent.vhdx");
        locator.put("volume_path", "\\\\?\\Volume{26a21bda-a627-11d7-9931-806e6f6e6963}\\Hyper-V\\parent.vhdx");
        locator.put("absolute_win32_path", "C:\\Hyper-V\\parent.vhdx");
        return new VhdxBuilder(8L * MB).dataWriteGuid(Guid.parse("99999999-0000-0000-0000-000000000009"))
                .parent(locator)
                .block(0, PayloadMap.FULLY_PRESENT, pattern(MB, 1))
                .partialBlock(1, pattern(MB, 2), sectors(MB / 512))
                .block(2, PayloadMap.ZERO, null)
                .block(5, PayloadMap.FULLY_PRESENT, pattern(MB, 5))
                .partialBlock(6, pattern(MB, 6), sectors(MB / 512));
    }

    @Test
    void differencingDiskReadsThroughItsParent() throws Exception {
        Qemu.require("qemu-img");
        Path parent = parent();
        byte[] parentBytes = QemuReference.raw(parent, "vhdx");
        VhdxBuilder builder = child(dataWriteGuid(parent));
        Path child = Files.write(dir.resolve("child.vhdx"), builder.build());
        byte[] expected = builder.expected(parentBytes);
        try (Image image = FORMATS.open(child)) {
            QemuReference.assertReads(image, expected);
            assertThat(image.info().backingFilename()).isEqualTo("parent.vhdx");
            assertThat(image.info().fullBackingFilename()).isEqualTo(parent);
            assertThat(image.blockStatus(0, 8L * MB).depth()).isZero();
            assertThat(image.blockStatus(MB, 8L * MB)).isEqualTo(new BlockStatus(MB, 4096, Allocation.DATA, false,
                    0, image.blockStatus(MB, 1).hostOffset()));
            assertThat(image.blockStatus(MB + 4096, 8L * MB).depth()).isEqualTo(1);
            assertThat(image.blockStatus(2L * MB, 8L * MB)).isEqualTo(new BlockStatus(2L * MB, MB,
                    Allocation.ZERO, false, 0, -1));
            assertThat(image.blockStatus(3L * MB, 8L * MB).depth()).isEqualTo(1);
        }
        // the gap this provider closes: qemu-img refuses differencing VHDX
        assertThat(Qemu.runForFailure("qemu-img", "convert", "-f", "vhdx", "-O", "raw", child.toString(),
                dir.resolve("out.raw").toString())).contains("Operation not supported");
        // libvhdi 20210425 is no reference here: its vhdimount reads every sector of a differencing VHDX (of
        // fully and partially present blocks too, whatever their sector bitmaps say) from the parent
    }

    /**
     * Hyper-V's checkpoints: a dynamic disk of 32 MiB blocks, a checkpoint of 2 MiB blocks naming it by a relative
     * path up a directory, and a checkpoint of that naming it by its second linkage GUID; the disk's size is not a
     * whole number of blocks, and the last block is partially present.
     */
    @ParameterizedTest(name = "{0}-byte logical sectors")
    @ValueSource(ints = {512, 4096})
    void aChainOfCheckpointsReadsThroughEveryParent(int sector) throws Exception {
        byte[] expected = writeCheckpoints(sector);
        Path top = dir.resolve("checkpoints/grand.avhdx");
        try (Image image = FORMATS.open(top, OpenOptions.builder().format("vhdx").build())) {
            QemuReference.assertReads(image, expected);
            assertThat(image.info().fullBackingFilename()).isEqualTo(dir.resolve("checkpoints/child.avhdx"));
            assertThat(image.blockStatus(40L * MB, MB).depth()).isEqualTo(1);
        }
        assertThat(Arrays.equals(expected, 2 * MB, 3 * MB, new byte[MB], 0, MB)).isFalse();
    }

    /**
     * Writes the chain of {@link #aChainOfCheckpointsReadsThroughEveryParent} and returns what its top reads: in a
     * method of its own, so that the builders' blocks (the base's of 32 MiB) are garbage before the chain is read in
     * the 256 MiB these tests run in.
     */
    private byte[] writeCheckpoints(int sector) throws Exception {
        long size = 40L * MB + 3 * 4096;
        Guid baseGuid = Guid.parse("b0000000-0000-0000-0000-000000000001");
        VhdxBuilder base = new VhdxBuilder(size).blockSize(32 * MB).logicalSector(sector).dataWriteGuid(baseGuid)
                .block(0, PayloadMap.FULLY_PRESENT, pattern(32 * MB, 1))
                // one block of data: two, with the image built around them, leave a 256 MiB heap too fragmented by
                // their humongous arrays to build the next image
                .block(1, PayloadMap.ZERO, null);
        Guid childGuid = Guid.parse("c0000000-0000-0000-0000-000000000002");
        Map<String, String> childLocator = new LinkedHashMap<>();
        childLocator.put("parent_linkage", "{" + baseGuid.toString().toUpperCase() + "}");
        childLocator.put("relative_path", "..\\base\\base.vhdx");
        childLocator.put("absolute_win32_path", "C:\\VMs\\base\\base.vhdx");
        int sectorsPer2M = 2 * MB / sector;
        VhdxBuilder child = new VhdxBuilder(size).blockSize(2 * MB).logicalSector(sector).dataWriteGuid(childGuid)
                .parent(childLocator)
                .block(0, PayloadMap.FULLY_PRESENT, pattern(2 * MB, 3))
                .partialBlock(1, pattern(2 * MB, 4), sectors(sectorsPer2M))
                .block(2, PayloadMap.ZERO, null)
                .partialBlock(20, pattern(2 * MB, 5), sectors(sectorsPer2M));
        Map<String, String> grandLocator = new LinkedHashMap<>();
        grandLocator.put("parent_linkage", "{00000000-0000-0000-0000-00000000000f}");
        grandLocator.put("parent_linkage2", "{" + childGuid + "}");
        grandLocator.put("relative_path", ".\\child.avhdx");
        VhdxBuilder grand = new VhdxBuilder(size).blockSize(MB).logicalSector(sector)
                .dataWriteGuid(Guid.parse("d0000000-0000-0000-0000-000000000003"))
                .parent(grandLocator)
                .partialBlock(2, pattern(MB, 6), sectors(MB / sector))
                .block(5, PayloadMap.FULLY_PRESENT, pattern(MB, 7))
                .block(33, PayloadMap.UNMAPPED, null);
        Files.createDirectories(dir.resolve("base"));
        Files.createDirectories(dir.resolve("checkpoints"));
        Files.write(dir.resolve("base/base.vhdx"), base.build());
        Files.write(dir.resolve("checkpoints/child.avhdx"), child.build());
        Files.write(dir.resolve("checkpoints/grand.avhdx"), grand.build());
        return grand.expected(child.expected(base.expected(null)));
    }

    @Test
    void theParentMustBeTheOneLinked() throws Exception {
        Qemu.require("qemu-img");
        parent();
        Path child = Files.write(dir.resolve("child.vhdx"),
                child(Guid.parse("12345678-0000-0000-0000-000000000000")).build());
        assertThatThrownBy(() -> FORMATS.open(child)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("is not the parent linkage 12345678-0000-0000-0000-000000000000");
        assertThatThrownBy(() -> FORMATS.open(child, OpenOptions.builder()
                .filePolicy(FilePolicy.refuseOtherFiles()).build())).isInstanceOf(UnsafeImageException.class);
        try (Image image = FORMATS.open(child, OpenOptions.builder().followBacking(false).build())) {
            assertThat(image.blockStatus(3L * MB, MB).allocation()).isEqualTo(Allocation.UNALLOCATED);
            assertThat(image.info().backingFilename()).isEqualTo("parent.vhdx");
        }
    }

    @Test
    void everyPayloadStateOfADynamicDiskReadsAsQemuImgReadsIt() throws Exception {
        VhdxBuilder builder = new VhdxBuilder(7L * MB + 4096)
                .block(0, PayloadMap.FULLY_PRESENT, pattern(MB, 1))
                .block(1, PayloadMap.UNDEFINED, null)
                .block(2, PayloadMap.ZERO, null)
                .block(3, PayloadMap.UNMAPPED, null)
                .block(4, PayloadMap.UNMAPPED_DRAFT, null)
                .block(6, PayloadMap.FULLY_PRESENT, pattern(MB, 6))
                .block(7, PayloadMap.FULLY_PRESENT, pattern(MB, 7));
        Path disk = Files.write(dir.resolve("states.vhdx"), builder.build());
        byte[] expected = builder.expected(null);
        try (Image image = FORMATS.open(disk)) {
            QemuReference.assertReads(image, expected);
            assertThat(image.map(0, image.size())).extracting(BlockStatus::allocation).containsExactly(
                    Allocation.DATA, Allocation.ZERO, Allocation.DATA);
        }
        Qemu.require("qemu-img");
        Bytes.assertSame(QemuReference.raw(disk, "vhdx"), expected);
        Libvhdi.require();
        Bytes.assertSame(Libvhdi.read(disk, dir), expected);
    }

    @Test
    void logicalSectorsOf4096Bytes() throws Exception {
        VhdxBuilder builder = new VhdxBuilder(12L * MB).logicalSector(4096).blockSize(4 * MB)
                .block(1, PayloadMap.FULLY_PRESENT, pattern(4 * MB, 3));
        Path disk = Files.write(dir.resolve("4k.vhdx"), builder.build());
        try (Image image = FORMATS.open(disk)) {
            QemuReference.assertReads(image, builder.expected(null));
        }
        Qemu.require("qemu-img");
        // the gap this provider closes: qemu-img reads 512-byte logical sectors only
        assertThat(Qemu.runForFailure("qemu-img", "convert", "-f", "vhdx", "-O", "raw", disk.toString(),
                dir.resolve("out.raw").toString())).contains("Operation not supported");
        Libvhdi.require();
        Bytes.assertSame(Libvhdi.read(disk, dir), builder.expected(null));
    }

    @Test
    void aLogLeftToReplayIsReplayedInMemoryAsQemuReplaysIt() throws Exception {
        int log = 4 * MB;
        VhdxBuilder before = new VhdxBuilder(6L * MB).logLength(log)
                .block(0, PayloadMap.FULLY_PRESENT, pattern(MB, 1))
                .block(2, PayloadMap.FULLY_PRESENT, pattern(MB, 2));
        // after: block 0 rewritten in part, block 2 zeroed in the file, block 4 allocated past the old end
        byte[] newFirst = pattern(MB, 1);
        System.arraycopy(pattern(20000, 40), 0, newFirst, 5000, 20000);
        VhdxBuilder after = new VhdxBuilder(6L * MB).logLength(log)
                .block(0, PayloadMap.FULLY_PRESENT, newFirst)
                .block(2, PayloadMap.FULLY_PRESENT, new byte[MB])
                .block(4, PayloadMap.FULLY_PRESENT, pattern(MB, 4));
        byte[] beforeBytes = before.build();
        byte[] afterBytes = after.build();
        long block2 = beforeBytes.length - MB;
        Path disk = Files.write(dir.resolve("log.vhdx"), VhdxBuilder.logOver(beforeBytes, afterBytes,
                block2, MB));
        byte[] original = Files.readAllBytes(disk);
        byte[] expected = after.expected(null);
        try (Image image = FORMATS.open(disk)) {
            QemuReference.assertReads(image, expected);
        }
        assertThat(Files.readAllBytes(disk)).as("the file is left as it was").isEqualTo(original);
        try (Image image = FORMATS.open(Files.write(dir.resolve("before.vhdx"), beforeBytes))) {
            assertThat(ByteBuffer.wrap(readAll(image)))
                    .isEqualTo(ByteBuffer.wrap(before.expected(null)));
        }
        Qemu.require("qemu-img");
        // the gap this provider closes: qemu-img will not read it without replaying the log into the file
        assertThat(Qemu.runForFailure("qemu-img", "convert", "-f", "vhdx", "-O", "raw", disk.toString(),
                dir.resolve("out.raw").toString())).contains("log that needs to be replayed");
        // QEMU's own replay, into a copy, is the second reference (libvhdi 20210425 does not replay logs)
        Path replayed = Files.write(dir.resolve("replayed.vhdx"), original);
        Qemu.run("qemu-img", "check", "-q", "-r", "all", "-f", "vhdx", replayed.toString());
        Bytes.assertSame(QemuReference.raw(replayed, "vhdx"), expected);
    }

    @Test
    void aLogWhoseEntriesGoOnPastItsEndIsReplayed() throws Exception {
        int log = 4 * MB;
        VhdxBuilder before = new VhdxBuilder(6L * MB).logLength(log)
                .block(0, PayloadMap.FULLY_PRESENT, pattern(MB, 1));
        byte[] newFirst = pattern(MB, 1);
        System.arraycopy(pattern(300000, 40), 0, newFirst, 5000, 300000);
        VhdxBuilder after = new VhdxBuilder(6L * MB).logLength(log)
                .block(0, PayloadMap.FULLY_PRESENT, newFirst)
                .block(3, PayloadMap.FULLY_PRESENT, pattern(MB, 3));
        byte[] expected = after.expected(null);
        // five entries, the first four of 121 sectors (a sector of descriptors, 120 pages)
        int full = 121 * 4096;
        // the third entry goes on past the log's end; then the first does, the tail two sectors before the end
        byte[] middleWraps = VhdxBuilder.logOverFrom(log - 2 * full - 2 * 4096, before.build(), after.build());
        byte[] firstWraps = VhdxBuilder.logOverFrom(log - 2 * 4096, before.build(), after.build());
        for (byte[] logged : List.of(middleWraps, firstWraps)) {
            Path disk = Files.write(dir.resolve("wrapped.vhdx"), logged);
            try (Image image = FORMATS.open(disk)) {
                QemuReference.assertReads(image, expected);
            }
            assertThat(Files.readAllBytes(disk)).as("the file is left as it was").isEqualTo(logged);
        }
        Qemu.require("qemu-img");
        // QEMU 7.2 replays from the first entry it finds past the log's start, not from the tail the newest entry
        // names, so it is a reference only where the sequence's first entry is before its end
        Path replayed = Files.write(dir.resolve("replayed.vhdx"), middleWraps);
        Qemu.run("qemu-img", "check", "-q", "-r", "all", "-f", "vhdx", replayed.toString());
        Bytes.assertSame(QemuReference.raw(replayed, "vhdx"), expected);
    }

    private static byte[] readAll(Image image) throws Exception {
        ByteBuffer all = ByteBuffer.allocate((int) image.size());
        image.readFully(all, 0);
        return all.array();
    }

    @Test
    void aLogOfAnotherGuidIsNotReplayed() throws Exception {
        VhdxBuilder before = new VhdxBuilder(2L * MB).logLength(4 * MB)
                .block(0, PayloadMap.FULLY_PRESENT, pattern(MB, 1));
        VhdxBuilder after = new VhdxBuilder(2L * MB).logLength(4 * MB)
                .block(0, PayloadMap.FULLY_PRESENT, pattern(MB, 9));
        byte[] logged = VhdxBuilder.logOver(before.build(), after.build());
        // the headers name a log GUID no entry carries: a log with nothing to replay
        for (int at : new int[] {64 * 1024, 128 * 1024}) {
            ByteBuffer h = ByteBuffer.wrap(logged, at, 4096).slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            h.put(48, Guid.parse("77777777-0000-0000-0000-000000000000").bytes());
            h.putInt(4, Checksums.compute(h, 4));
        }
        try (Image image = FORMATS.open(Files.write(dir.resolve("stale.vhdx"), logged))) {
            Bytes.assertReadsAs(image, before.expected(null));
        }
        assertThat(Arrays.equals(before.expected(null), after.expected(null))).isFalse();
    }
}
