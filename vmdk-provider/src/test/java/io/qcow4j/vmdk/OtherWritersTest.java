package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;
import io.qcow4j.Images;
import io.qcow4j.testing.Qemu;

/**
 * VMDKs as writers other than qemu-img lay them out, built from the specification by {@link Fixtures}: every byte
 * is checked against the disk the fixture was built from, and, where qemu-img reads the file too, against
 * {@code qemu-img convert -O raw}, {@code qemu-img map} and {@code qemu-img info}.
 */
class OtherWritersTest {

    private static final long CID = 0x1234abcdL;
    private static final long PARENT_CID = 0x5678ef01L;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
    }

    /** VMware Workstation's monolithicSparse of version 3 (changed-block tracking), grains written out of order. */
    @Test
    void version3SparseWithGrainsOutOfOrder() throws Exception {
        byte[] disk = Fixtures.content(3 << 20, 65536, 1);
        Fixtures.Hosted hosted = new Fixtures.Hosted();
        hosted.version = 3;
        hosted.order = shuffled(disk.length / 65536, 2);
        hosted.descriptor = Fixtures.descriptor(CID, 0xffffffffL, "monolithicSparse", null,
                "RW " + disk.length / 512 + " SPARSE \"v3.vmdk\"");
        Path image = Fixtures.write(dir.resolve("v3.vmdk"), hosted.build(disk));
        assertReads(image, disk, true);
        try (Image opened = Images.open(image)) {
            assertThat(opened.info().formatSpecific()).containsEntry("cid", CID).containsEntry("create-type",
                    "monolithicSparse");
        }
    }

    /** Grain sizes QEMU accepts, powers of two or not, with grain tables of other sizes than 512 entries. */
    @ParameterizedTest(name = "grains of {0} sectors, tables of {1} entries")
    @CsvSource({"1, 512", "3, 512", "8, 128", "16, 512", "128, 7", "256, 512", "2048, 1", "16, 100"})
    void grainAndTableSizes(int grainSectors, int tableEntries) throws Exception {
        byte[] disk = Fixtures.content((1 << 20) + 3 * 512, grainSectors * 512, grainSectors);
        Fixtures.Hosted hosted = new Fixtures.Hosted();
        hosted.grainSectors = grainSectors;
        hosted.tableEntries = tableEntries;
        hosted.redundant = grainSectors % 2 == 0;
        hosted.descriptor = Fixtures.descriptor(CID, 0xffffffffL, "monolithicSparse", null,
                "RW " + disk.length / 512 + " SPARSE \"g.vmdk\"");
        Path image = Fixtures.write(dir.resolve("g.vmdk"), hosted.build(disk));
        assertReads(image, disk, true);
    }

    /** Version 2 with zeroed-grain entries (entry 1): they read as zeros, not as the sector they would name. */
    @Test
    void zeroedGrainEntries() throws Exception {
        byte[] disk = Fixtures.content(2 << 20, 65536, 3);
        Fixtures.Hosted hosted = new Fixtures.Hosted();
        hosted.version = 2;
        hosted.zeroedGrains = true;
        hosted.zeroed = Set.of(1L, 2L, 30L);
        byte[] expected = disk.clone();
        for (long g : hosted.zeroed) {
            Arrays.fill(expected, (int) g * 65536, (int) (g + 1) * 65536, (byte) 0);
        }
        hosted.descriptor = Fixtures.descriptor(CID, 0xffffffffL, "monolithicSparse", null);
        Path image = Fixtures.write(dir.resolve("z.vmdk"), hosted.build(disk));
        assertReads(image, expected, true);
        try (Image opened = Images.open(image)) {
            BlockStatus status = opened.blockStatus(65536, 1 << 20);
            assertThat(status.allocation()).isEqualTo(Allocation.ZERO);
            assertThat(status.length()).isEqualTo(2 * 65536);
        }
    }

    /** A stream as ovftool and VirtualBox write it, in disk order: tables after their grains, the footer last. */
    @ParameterizedTest(name = "grains of {0} sectors, deflate level {1}")
    @CsvSource({"128, 6", "128, 9", "128, 1", "16, 6", "128, 0"})
    void streamWithFooterAtTheEnd(int grainSectors, int level) throws Exception {
        byte[] disk = Fixtures.content((5 << 20) + 1024, grainSectors * 512, grainSectors + level);
        Fixtures.Stream stream = new Fixtures.Stream();
        stream.grainSectors = grainSectors;
        stream.level = level;
        stream.descriptor = Fixtures.descriptor(CID, 0xffffffffL, "streamOptimized", null,
                "RW " + disk.length / 512 + " SPARSE \"ova-disk1.vmdk\"");
        Path image = Fixtures.write(dir.resolve("ova-disk1.vmdk"), stream.build(disk));
        assertReads(image, disk, true);
        try (Image opened = Images.open(image)) {
            assertThat(opened.info().formatSpecific()).containsEntry("create-type", "streamOptimized");
        }
    }

    /** A writer that compresses grains in parallel writes them in any order, and all the tables after them. */
    @Test
    void streamWithGrainsInAnyOrder() throws Exception {
        byte[] disk = Fixtures.content(4 << 20, 65536, 5);
        Fixtures.Stream stream = new Fixtures.Stream();
        stream.order = shuffled(disk.length / 65536, 6);
        stream.descriptor = Fixtures.descriptor(CID, 0xffffffffL, "streamOptimized", null);
        Path image = Fixtures.write(dir.resolve("shuffled.vmdk"), stream.build(disk));
        assertReads(image, disk, true);
    }

    /**
     * A stream cut short (a download that stopped): no tables, no footer. QEMU refuses it; this reader reads the
     * grains that are there, the zero grains between them, and fails at the first grain past the cut.
     */
    @Test
    void truncatedStreamReadsAsFarAsItGoes() throws Exception {
        byte[] disk = Fixtures.content(4 << 20, 65536, 7);
        Fixtures.Stream stream = new Fixtures.Stream();
        stream.descriptor = Fixtures.descriptor(CID, 0xffffffffL, "streamOptimized", null);
        byte[] whole = stream.build(disk);
        // cut inside the grain for the last non-zero grain before 3 MiB
        long lastGrain = 3 * 16 - 1;
        while (Fixtures.isZero(disk, lastGrain * 65536, (lastGrain + 1) * 65536)) {
            lastGrain--;
        }
        int cut = Fixtures.markerOffset(whole, lastGrain, 128) + 100;
        Path image = Fixtures.write(dir.resolve("cut.vmdk"), Arrays.copyOf(whole, cut));
        assertThat(Qemu.runForFailure("qemu-img", "info", image.toString())).contains("Invalid footer");
        try (Image opened = Images.open(image)) {
            long readable = lastGrain * 65536;
            ByteBuffer head = ByteBuffer.allocate((int) readable);
            opened.readFully(head, 0);
            assertThat(head.array()).isEqualTo(Arrays.copyOf(disk, (int) readable));
            assertThatThrownBy(() -> opened.readFully(ByteBuffer.allocate(65536), readable))
                    .isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("the stream is truncated")
                    .hasMessageContaining("extent offset " + readable);
            assertThatThrownBy(() -> opened.blockStatus(readable, 65536))
                    .isInstanceOf(CorruptImageException.class).hasMessageContaining("truncated");
        }
    }

    /** A stream whose footer and end marker are left out but whose grains are all there reads whole but the end. */
    @Test
    void streamWithoutFooter() throws Exception {
        byte[] disk = Fixtures.content(2 << 20, 65536, 8);
        disk[disk.length - 1] = 1;
        Fixtures.Stream stream = new Fixtures.Stream();
        stream.noFooter = true;
        stream.descriptor = Fixtures.descriptor(CID, 0xffffffffL, "streamOptimized", null);
        Path image = Fixtures.write(dir.resolve("nofooter.vmdk"), stream.build(disk));
        assertReads(image, disk, false);
    }

    /**
     * vSphere writes, now and then, a marker of type 4 that the specification leaves out: a stream walked for want
     * of its footer steps over it as over any metadata marker.
     */
    @Test
    void streamWithoutFooterWithVsphereMarkerOfType4() throws Exception {
        byte[] disk = Fixtures.content(2 << 20, 65536, 22);
        disk[disk.length - 1] = 1;
        Fixtures.Stream stream = new Fixtures.Stream();
        stream.noFooter = true;
        stream.descriptor = Fixtures.descriptor(CID, 0xffffffffL, "streamOptimized", null);
        byte[] bytes = stream.build(disk);
        // before the marker of a grain past the first
        long grain = 1;
        while (Fixtures.isZero(disk, grain * 65536, (grain + 1) * 65536)) {
            grain++;
        }
        int at = Fixtures.markerOffset(bytes, grain, 128);
        ByteBuffer marker = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 4);
        byte[] file = new byte[bytes.length + 512];
        System.arraycopy(bytes, 0, file, 0, at);
        System.arraycopy(marker.array(), 0, file, at, 512);
        System.arraycopy(bytes, at, file, at + 512, bytes.length - at);
        Path image = Fixtures.write(dir.resolve("vsphere.vmdk"), file);
        assertReads(image, disk, false);
    }

    /**
     * ESXi's delta disk (vmfsSparse): a COWD redo log of one-sector grains over a thin "vmfs" base, both named by
     * descriptors, the delta's parentCID the base's CID.
     */
    @Test
    void esxVmfsSparseDeltaOverVmfsBase() throws Exception {
        byte[] base = Fixtures.content(3 << 20, 65536, 9);
        Fixtures.write(dir.resolve("disk-flat.vmdk"), base);
        Fixtures.write(dir.resolve("disk.vmdk"), Fixtures.descriptor(PARENT_CID, 0xffffffffL, "vmfs", null,
                "RW " + base.length / 512 + " VMFS \"disk-flat.vmdk\""));
        byte[] delta = Fixtures.content(base.length, 4096, 10);
        Set<Long> allocated = new HashSet<>();
        byte[] expected = base.clone();
        Random random = new Random(11);
        for (long sector = 0; sector < base.length / 512; sector++) {
            if (random.nextInt(5) == 0) {
                allocated.add(sector);
                System.arraycopy(delta, (int) sector * 512, expected, (int) sector * 512, 512);
            }
        }
        Fixtures.write(dir.resolve("disk-000001-delta.vmdk"), new Fixtures.Cowd().build(delta, allocated));
        Path top = Fixtures.write(dir.resolve("disk-000001.vmdk"), Fixtures.descriptor(CID, PARENT_CID, "vmfsSparse",
                "disk.vmdk", "RW " + base.length / 512 + " VMFSSPARSE \"disk-000001-delta.vmdk\""));
        assertReads(top, expected, true);
        try (Image opened = Images.open(top)) {
            assertThat(opened.info().backingFilename()).isEqualTo("disk.vmdk");
            assertThat(opened.info().formatSpecific()).containsEntry("create-type", "vmfsSparse")
                    .containsEntry("parent-cid", PARENT_CID);
        }
    }

    /** ESXi's seSparse delta: allocated grains in clusters of their own order, zeroed and unmapped grains. */
    @Test
    void esxSeSparseDelta() throws Exception {
        byte[] base = Fixtures.content(20 << 20, 65536, 12);
        Fixtures.write(dir.resolve("base-flat.vmdk"), base);
        Fixtures.write(dir.resolve("base.vmdk"), Fixtures.descriptor(PARENT_CID, 0xffffffffL, "vmfs", null,
                "RW " + base.length / 512 + " VMFS \"base-flat.vmdk\""));
        byte[] delta = Fixtures.content(base.length, 4096, 13);
        int grains = base.length / 4096;
        Fixtures.SeGrain[] kinds = new Fixtures.SeGrain[grains];
        byte[] expected = base.clone();
        Random random = new Random(14);
        for (int g = 0; g < grains; g++) {
            kinds[g] = Fixtures.SeGrain.values()[random.nextInt(4)];
            if (kinds[g] == Fixtures.SeGrain.ALLOCATED) {
                System.arraycopy(delta, g * 4096, expected, g * 4096, 4096);
            } else if (kinds[g] != Fixtures.SeGrain.UNALLOCATED) {
                Arrays.fill(expected, g * 4096, (g + 1) * 4096, (byte) 0);
            }
        }
        Fixtures.write(dir.resolve("base-000001-sesparse.vmdk"), new Fixtures.SeSparse().build(delta, kinds, 15));
        Path top = Fixtures.write(dir.resolve("base-000001.vmdk"), Fixtures.descriptor(CID, PARENT_CID, "seSparse",
                "base.vmdk", "RW " + base.length / 512 + " SESPARSE \"base-000001-sesparse.vmdk\""));
        assertReads(top, expected, true);
    }

    /**
     * A descriptor edited on Windows and by hand: CRLF line ends, comments and blank lines everywhere, the disk
     * database first and the extents last, spaces around '=', names with spaces, a read-only extent.
     */
    @Test
    void descriptorWithCrlfCommentsAndAnyOrder() throws Exception {
        byte[] first = Fixtures.content(1 << 20, 4096, 16);
        byte[] second = Fixtures.content(1 << 20, 4096, 17);
        Fixtures.write(dir.resolve("my disk s001.vmdk"), first);
        Fixtures.write(dir.resolve("my disk s002.vmdk"), second);
        String text = String.join("\r\n",
                "# Disk DescriptorFile",
                "",
                "# The Disk Data Base",
                "#DDB",
                "ddb.virtualHWVersion = \"8\"",
                "ddb.adapterType = \"lsilogic\"",
                "   # an indented comment",
                "createType = \"twoGbMaxExtentFlat\"",
                "parentCID=ffffffff",
                "version=1",
                "CID = " + String.format("%08x", CID),
                "",
                "# Extent description",
                "RW 2048 FLAT \"my disk s001.vmdk\" 0",
                "\tRDONLY   2048  FLAT   \"my disk s002.vmdk\"   0  ",
                "");
        Path image = Fixtures.write(dir.resolve("my disk.vmdk"), text);
        byte[] expected = new byte[2 << 20];
        System.arraycopy(first, 0, expected, 0, first.length);
        System.arraycopy(second, 0, expected, first.length, second.length);
        // QEMU skips RDONLY lines, and so makes a disk of the first extent alone
        assertReads(image, expected, false);
        try (Image opened = Images.open(image)) {
            assertThat(opened.info().formatSpecific()).containsEntry("cid", CID)
                    .containsEntry("create-type", "twoGbMaxExtentFlat");
            assertThat(opened.files()).containsExactly(image, dir.resolve("my disk s001.vmdk"),
                    dir.resolve("my disk s002.vmdk"));
        }
    }

    /**
     * One descriptor with every kind of extent: FLAT from an offset (two extents in one file), SPARSE, ZERO, VMFS,
     * VMFSSPARSE (COWD) and SESPARSE.
     */
    @Test
    void descriptorMixingEveryExtentType() throws Exception {
        int mib = 1 << 20;
        byte[] disk = Fixtures.content(7 * mib, 4096, 18);
        Arrays.fill(disk, 3 * mib, 4 * mib, (byte) 0);
        byte[] flatFile = new byte[3 * mib];
        // the first extent is the file's second MiB, the third its first MiB
        System.arraycopy(disk, 0, flatFile, mib, mib);
        System.arraycopy(disk, 2 * mib, flatFile, 0, mib);
        Fixtures.write(dir.resolve("flat.bin"), flatFile);
        Fixtures.Hosted hosted = new Fixtures.Hosted();
        hosted.grainSectors = 8;
        Fixtures.write(dir.resolve("sparse.vmdk"), hosted.build(Arrays.copyOfRange(disk, mib, 2 * mib)));
        Fixtures.write(dir.resolve("vmfs.bin"), Arrays.copyOfRange(disk, 4 * mib, 5 * mib));
        Set<Long> all = new HashSet<>();
        for (long s = 0; s < 2048; s++) {
            all.add(s);
        }
        Fixtures.write(dir.resolve("cowd.vmdk"), new Fixtures.Cowd().build(Arrays.copyOfRange(disk, 5 * mib,
                6 * mib), all));
        Fixtures.SeGrain[] kinds = new Fixtures.SeGrain[256];
        Arrays.fill(kinds, Fixtures.SeGrain.ALLOCATED);
        Fixtures.write(dir.resolve("se.vmdk"), new Fixtures.SeSparse().build(Arrays.copyOfRange(disk, 6 * mib,
                7 * mib), kinds, 19));
        Path image = Fixtures.write(dir.resolve("mixed.vmdk"), Fixtures.descriptor(CID, 0xffffffffL, "vmfsSparse",
                null, "RW 2048 FLAT \"flat.bin\" 2048", "RW 2048 SPARSE \"sparse.vmdk\"",
                "RW 2048 FLAT \"flat.bin\" 0", "RW 2048 ZERO", "RW 2048 VMFS \"vmfs.bin\"",
                "RW 2048 VMFSSPARSE \"cowd.vmdk\"", "RW 2048 SESPARSE \"se.vmdk\""));
        assertReads(image, disk, false);
        try (Image opened = Images.open(image)) {
            BlockStatus zero = opened.blockStatus(3 * mib, 7 * mib);
            assertThat(zero).isEqualTo(new BlockStatus(3 * mib, mib, Allocation.ZERO, false, 0, -1));
            assertThat(opened.blockStatus(0, mib)).isEqualTo(new BlockStatus(0, mib, Allocation.DATA, false, 0,
                    mib));
            ImageInfo info = opened.info();
            assertThat(info.clusterSize()).isZero();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> extents = (List<Map<String, Object>>) info.formatSpecific()
                    .get("extents");
            assertThat(extents).extracting(e -> e.get("format")).containsExactly("FLAT", "SPARSE", "FLAT", "ZERO",
                    "VMFS", "VMFSSPARSE", "SESPARSE");
            assertThat(opened.files()).hasSize(6);
        }
    }

    /** A sparse file of capacity 0 whose embedded descriptor names the extents: read as a descriptor file. */
    @Test
    void sparseFileHoldingOnlyADescriptor() throws Exception {
        byte[] disk = Fixtures.content(2 << 20, 65536, 20);
        Fixtures.Hosted extent = new Fixtures.Hosted();
        Fixtures.write(dir.resolve("data-s001.vmdk"), extent.build(disk));
        Fixtures.Hosted holder = new Fixtures.Hosted();
        holder.descriptorOnly = true;
        holder.descriptor = Fixtures.descriptor(CID, 0xffffffffL, "twoGbMaxExtentSparse", null,
                "RW " + disk.length / 512 + " SPARSE \"data-s001.vmdk\"");
        Path image = Fixtures.write(dir.resolve("holder.vmdk"), holder.build(new byte[0]));
        assertReads(image, disk, true);
    }

    /**
     * VMware on Windows writes the descriptor in the ANSI code page it declares ({@code encoding="windows-1252"},
     * {@code "GBK"}); copied off Windows, the files are named in Unicode. The names' bytes as they are (QEMU's
     * reading) name no file, the names as the declared encoding reads them do: the extent and the parent of a
     * snapshot are found.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"windows-1252, Mein Ger\u00e4t", "GBK, \u78c1\u76d8", "Shift_JIS, \u8868\u793a"})
    void namesInTheDescriptorsDeclaredEncoding(String encoding, String name) throws Exception {
        Charset charset = Charset.forName(encoding);
        byte[] base = Fixtures.content(1 << 20, 65536, 21);
        Fixtures.write(dir.resolve(name + "-flat.vmdk"), base);
        String baseText = Fixtures.descriptor(PARENT_CID, 0xffffffffL, "monolithicFlat", null,
                "RW " + base.length / 512 + " FLAT \"" + name + "-flat.vmdk\" 0")
                .replace("encoding=\"UTF-8\"", "encoding=\"" + encoding + "\"");
        Fixtures.write(dir.resolve(name + ".vmdk"), baseText.getBytes(charset));
        byte[] own = new byte[base.length];
        Arrays.fill(own, 3 * 65536, 4 * 65536, (byte) 0x5c);
        byte[] expected = base.clone();
        Arrays.fill(expected, 3 * 65536, 4 * 65536, (byte) 0x5c);
        Fixtures.Hosted delta = new Fixtures.Hosted();
        delta.descriptor = Fixtures.descriptor(CID, PARENT_CID, "monolithicSparse", name + ".vmdk")
                .replace("encoding=\"UTF-8\"", "encoding=\"" + encoding + "\"");
        byte[] file = delta.build(own);
        // the builder wrote the descriptor in UTF-8: write it again in the encoding it declares
        byte[] text = delta.descriptor.getBytes(charset);
        Arrays.fill(file, 512, 512 + delta.descriptor.getBytes(StandardCharsets.UTF_8).length, (byte) 0);
        System.arraycopy(text, 0, file, 512, text.length);
        Path top = Fixtures.write(dir.resolve(name + "-000001.vmdk"), file);
        assertThat(Qemu.runForFailure("qemu-img", "convert", "-O", "raw", dir.resolve(name + ".vmdk").toString(),
                dir.resolve("x.raw").toString())).contains("Could not open");
        assertReads(top, expected, false);
        try (Image opened = Images.open(top)) {
            assertThat(opened.backing().orElseThrow().files()).containsExactly(dir.resolve(name + ".vmdk"),
                    dir.resolve(name + "-flat.vmdk"));
        }
    }

    /** Reads {@code image} whole and at random against {@code expected}, and against qemu-img where it reads it. */
    private void assertReads(Path image, byte[] expected, boolean qemuReadsIt) throws Exception {
        Path raw = Fixtures.write(dir.resolve("expected.raw"), expected);
        try (Image opened = Images.open(image)) {
            assertThat(opened.format()).isEqualTo("vmdk");
            ImageAsserts.assertReadsLike(opened, raw);
            ImageAsserts.assertRandomReads(opened, raw, expected.length);
            for (BlockStatus run : opened.map(0, opened.size())) {
                if (run.readsAsZero()) {
                    assertThat(Fixtures.isZero(expected, run.offset(), run.end())).as("%s reads as zeros", run)
                            .isTrue();
                }
            }
            if (qemuReadsIt) {
                Path theirs = Qemu.toRaw(image, dir.resolve("qemu.raw"));
                assertThat(Files.mismatch(theirs, raw)).as("qemu-img reads the fixture as built").isEqualTo(-1);
                ImageAsserts.assertMapLike(opened, image);
                ImageAsserts.assertInfoLike(opened, image);
            }
        }
    }

    private static long[] shuffled(int count, long seed) {
        List<Long> order = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        return order.stream().mapToLong(Long::longValue).toArray();
    }


}
