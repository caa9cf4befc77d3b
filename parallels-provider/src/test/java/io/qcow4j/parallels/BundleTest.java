package io.qcow4j.parallels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Allocation;
import io.qcow4j.BackingChainException;
import io.qcow4j.BlockStatus;
import io.qcow4j.CorruptImageException;
import io.qcow4j.FilePolicy;
import io.qcow4j.Image;
import io.qcow4j.ImageFormats;
import io.qcow4j.ImageLimitException;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.testing.Qemu;

/**
 * Bundles ({@code DiskDescriptor.xml}): a snapshot chain read as QEMU reads the same files chained by hand (qemu-img
 * has no reader for the descriptor), plain root images, split storages, and descriptors from strangers.
 */
class BundleTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new ParallelsFormatProvider());
    private static final String TOP = "{5fbaabe3-6958-40ff-92a7-860e329aab41}";
    private static final String ROOT = "{11111111-2222-3333-4444-555555555555}";
    private static final String MIDDLE = "{aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}";
    private static final long SECTORS = 2048;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
    }

    private static String descriptor(long sectors, String storages, String shots) {
        return "<?xml version='1.0' encoding='UTF-8'?>\n<Parallels_disk_image Version=\"1.0\">\n"
                + "  <Disk_Parameters>\n    <Disk_size>" + sectors + "</Disk_size>\n    <Cylinders>2</Cylinders>\n"
                + "    <Heads>16</Heads>\n    <Sectors>32</Sectors>\n    <Padding>0</Padding>\n"
                + "  </Disk_Parameters>\n  <StorageData>\n" + storages + "  </StorageData>\n  <Snapshots>\n" + shots
                + "  </Snapshots>\n</Parallels_disk_image>\n";
    }

    private static String storage(long start, long end, String... images) {
        StringBuilder text = new StringBuilder("    <Storage>\n      <Start>" + start + "</Start>\n      <End>" + end
                + "</End>\n      <Blocksize>8</Blocksize>\n");
        for (int i = 0; i < images.length; i += 3) {
            text.append("      <Image>\n        <GUID>").append(images[i]).append("</GUID>\n        <Type>")
                    .append(images[i + 1]).append("</Type>\n        <File>").append(images[i + 2])
                    .append("</File>\n      </Image>\n");
        }
        return text.append("    </Storage>\n").toString();
    }

    private static String shot(String guid, String parent) {
        return "    <Shot>\n      <GUID>" + guid + "</GUID>\n      <ParentGUID>" + parent + "</ParentGUID>\n"
                + "    </Shot>\n";
    }

    /** An expanding disk of {@code SECTORS} sectors and 4 KiB clusters that qemu-io writes {@code commands} to. */
    private Path expanding(String name, String... commands) {
        Path image = dir.resolve(name);
        Qemu.run("qemu-img", "create", "-q", "-f", "parallels", "-o", "cluster_size=4k", image.toString(),
                Long.toString(SECTORS * 512));
        Qemu.io(image, "parallels", commands);
        return image;
    }

    /** What QEMU reads from {@code top} over {@code below}, chained by hand with a JSON file name. */
    private byte[] qemuChain(Path top, String belowDriver, Path below) throws IOException {
        Path raw = dir.resolve("reference.raw");
        Qemu.run("qemu-img", "convert", "-O", "raw", "json:{\"driver\":\"parallels\",\"file\":{\"driver\":\"file\","
                + "\"filename\":\"" + top + "\"},\"backing\":{\"driver\":\"" + belowDriver + "\",\"file\":{\"driver\":"
                + "\"file\",\"filename\":\"" + below + "\"}}}", raw.toString());
        return Files.readAllBytes(raw);
    }

    private static byte[] readAll(Image image) throws IOException {
        ByteBuffer all = ByteBuffer.allocate((int) image.size());
        image.readFully(all, 0);
        return all.array();
    }

    @Test
    void aSnapshotChainReadsAsQemuReadsItsImagesChained() throws Exception {
        Path root = expanding("disk.hdd.0.root.hds", "write -P 0x11 0 64k", "write -P 0x12 300k 100k",
                "write -P 0x13 900k 4k");
        Path top = expanding("disk.hdd.0.top.hds", "write -P 0x21 32k 8k", "write -P 0x22 320k 1k",
                "write -z 900k 4k");
        Path xml = Files.writeString(dir.resolve("DiskDescriptor.xml"), descriptor(SECTORS,
                storage(0, SECTORS, ROOT, "Compressed", root.getFileName().toString(), TOP, "Compressed",
                        top.toString()), shot(ROOT, "{00000000-0000-0000-0000-000000000000}") + shot(TOP, ROOT)));
        byte[] expected = qemuChain(top, "parallels", root);
        try (Image image = FORMATS.open(xml)) {
            assertThat(image.format()).isEqualTo("parallels");
            assertThat(image.size()).isEqualTo(SECTORS * 512);
            assertThat(readAll(image)).isEqualTo(expected);
            assertThat(image.files()).containsExactly(top);
            assertThat(image.backing().orElseThrow().files()).containsExactly(root);
            assertThat(image.info().backingFilename()).isEqualTo(root.getFileName().toString());
            BlockStatus fromTop = image.blockStatus(32 << 10, 4096);
            assertThat(fromTop.depth()).isZero();
            assertThat(fromTop.allocation()).isEqualTo(Allocation.DATA);
            BlockStatus fromRoot = image.blockStatus(0, 4096);
            assertThat(fromRoot.depth()).isEqualTo(1);
            assertThat(fromRoot.allocation()).isEqualTo(Allocation.DATA);
        }
    }

    @Test
    void aPlainRootUnderAnOverlayAndTheTopNamedByTopGuid() throws Exception {
        Path root = dir.resolve("root.raw");
        Qemu.run("qemu-img", "create", "-q", "-f", "raw", root.toString(), Long.toString(SECTORS * 512));
        Qemu.io(root, "raw", "write -P 0x31 0 1M");
        Path middle = expanding("middle.hds", "write -P 0x41 4k 4k");
        // TopGUID names the middle image: the predefined top GUID is then an ordinary snapshot, not read
        Path ignored = expanding("ignored.hds", "write -P 0x51 0 1M");
        String shots = "    <TopGUID>" + MIDDLE + "</TopGUID>\n" + shot(ROOT, "{00000000-0000-0000-0000-000000000000}")
                + shot(MIDDLE, ROOT) + shot(TOP, MIDDLE);
        Path xml = Files.writeString(dir.resolve("DiskDescriptor.xml"), descriptor(SECTORS, storage(0, SECTORS,
                ROOT, "Plain", "root.raw", MIDDLE, "Compressed", "middle.hds", TOP, "Compressed", "ignored.hds"),
                shots));
        byte[] expected = qemuChain(middle, "raw", root);
        try (Image image = FORMATS.open(xml)) {
            assertThat(readAll(image)).isEqualTo(expected);
            assertThat(image.files()).containsExactly(middle);
        }
        assertThat(ignored).exists();
    }

    @Test
    void splitStoragesJoinIntoOneDisk() throws Exception {
        Path first = expanding("first.hds", "write -P 0x61 0 8k", "write -P 0x62 1020k 4k");
        Path second = dir.resolve("second.raw");
        Qemu.run("qemu-img", "create", "-q", "-f", "raw", second.toString(), Long.toString(SECTORS * 512));
        Qemu.io(second, "raw", "write -P 0x71 0 4k", "write -P 0x72 1048064 512");
        Path xml = Files.writeString(dir.resolve("DiskDescriptor.xml"), descriptor(2 * SECTORS,
                storage(SECTORS, 2 * SECTORS, TOP, "Plain", "second.raw")
                        + storage(0, SECTORS, TOP, "Compressed", "first.hds"),
                shot(TOP, "{00000000-0000-0000-0000-000000000000}")));
        byte[] expected = new byte[(int) (2 * SECTORS * 512)];
        byte[] firstBytes = readAll(FORMATS.open(first));
        System.arraycopy(firstBytes, 0, expected, 0, firstBytes.length);
        byte[] secondBytes = Files.readAllBytes(second);
        System.arraycopy(secondBytes, 0, expected, (int) (SECTORS * 512), secondBytes.length);
        try (Image image = FORMATS.open(xml)) {
            assertThat(image.size()).isEqualTo(2 * SECTORS * 512);
            assertThat(readAll(image)).isEqualTo(expected);
            // a read across the boundary, and block status on each side
            ByteBuffer across = ByteBuffer.allocate(8192);
            image.readFully(across, SECTORS * 512 - 4096);
            assertThat(across.array()).isEqualTo(Arrays.copyOfRange(expected, (int) (SECTORS * 512 - 4096),
                    (int) (SECTORS * 512 + 4096)));
            assertThat(image.blockStatus(SECTORS * 512 - 4096, 8192).length()).isEqualTo(4096);
            assertThat(image.blockStatus(SECTORS * 512, 4096).offset()).isEqualTo(SECTORS * 512);
            assertThat(image.files()).containsExactly(first, second);
        }
    }

    @Test
    void descriptorsFromStrangers() throws Exception {
        Path root = expanding("root.hds", "write -P 0x11 0 4k");
        String oneImage = storage(0, SECTORS, TOP, "Compressed", "root.hds");
        String rootShot = shot(TOP, "{00000000-0000-0000-0000-000000000000}");
        assertRefused(descriptor(SECTORS, oneImage, rootShot).replace("<Parallels_disk_image",
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Parallels_disk_image"),
                CorruptImageException.class, "DiskDescriptor.xml is not well-formed XML");
        assertRefused(descriptor(SECTORS, oneImage, rootShot).replace("<Padding>0", "<Padding>1"),
                UnsupportedFeatureException.class, "Padding 1 is not 0");
        assertRefused(descriptor(SECTORS, oneImage.replace("Compressed", "Sparse"), rootShot),
                UnsupportedFeatureException.class, "image type 'Sparse' is neither Plain nor Compressed");
        assertRefused(descriptor(SECTORS, oneImage, shot(TOP, ROOT) + shot(ROOT, TOP)), CorruptImageException.class,
                "the snapshots' parents loop at");
        assertRefused(descriptor(SECTORS, oneImage, shot(TOP, ROOT)), CorruptImageException.class,
                "snapshot " + ROOT + " has no <Shot>");
        assertRefused(descriptor(SECTORS * 2, oneImage, rootShot), CorruptImageException.class,
                "the storages end at sector 2048, not at the disk's end (4096)");
        assertRefused(descriptor(SECTORS, storage(0, SECTORS + 1, TOP, "Plain", "root.hds"), rootShot),
                CorruptImageException.class, "is not a range inside the disk's 2048 sectors");
        assertRefused(descriptor(SECTORS, oneImage.replace("<End>", "<End>x"), rootShot),
                CorruptImageException.class, "<End> x2048 is not a sector count");
        assertRefused(descriptor(SECTORS, oneImage.replace("root.hds", "/dev/zero"), rootShot),
                BackingChainException.class, "cannot open extent file /dev/zero: not a regular file");
        assertRefused(descriptor(SECTORS, oneImage.replace(TOP, ROOT), rootShot), CorruptImageException.class,
                "has no <Image> for snapshot " + TOP);
        // the host's policy decides which files a descriptor may name
        Path xml = Files.writeString(dir.resolve("DiskDescriptor.xml"), descriptor(SECTORS, oneImage, rootShot));
        assertThatThrownBy(() -> FORMATS.open(xml, OpenOptions.builder()
                .filePolicy(FilePolicy.refuseOtherFiles()).build())).isInstanceOf(UnsafeImageException.class);
        try (Image image = FORMATS.open(xml)) {
            assertThat(readAll(image)).isEqualTo(readAll(FORMATS.open(root)));
        }
    }

    @Test
    void namesLeavingTheBundleAreTheHostPolicysToRefuse() throws Exception {
        Path bundle = Files.createDirectory(dir.resolve("disk.hdd"));
        Path outside = expanding("outside.hds", "write -P 0x11 0 4k");
        Files.copy(outside, bundle.resolve("inside.hds"));
        String rootShot = shot(TOP, "{00000000-0000-0000-0000-000000000000}");
        OpenOptions beside = OpenOptions.builder().filePolicy(FilePolicy.besideImage()).build();
        for (String name : new String[] {"../outside.hds", outside.toString(), "sub/../../outside.hds"}) {
            Path xml = Files.writeString(bundle.resolve("DiskDescriptor.xml"), descriptor(SECTORS,
                    storage(0, SECTORS, TOP, "Compressed", name), rootShot));
            assertThatThrownBy(() -> FORMATS.open(xml, beside)).as(name).isInstanceOf(UnsafeImageException.class)
                    .hasMessageContaining("outside.hds");
        }
        Path xml = Files.writeString(bundle.resolve("DiskDescriptor.xml"), descriptor(SECTORS,
                storage(0, SECTORS, TOP, "Compressed", "inside.hds"), rootShot));
        try (Image image = FORMATS.open(xml, beside)) {
            assertThat(readAll(image)).isEqualTo(readAll(FORMATS.open(outside)));
        }
    }

    @Test
    void aDescriptorLargerThanAnyIsNotRead() throws Exception {
        String text = descriptor(SECTORS, storage(0, SECTORS, TOP, "Compressed", "root.hds"),
                shot(TOP, "{00000000-0000-0000-0000-000000000000}"));
        String padded = text.replace("</Parallels_disk_image>", "<!--" + "x".repeat(DiskDescriptor.MAX_BYTES) + "-->"
                + "</Parallels_disk_image>");
        assertRefused(padded, ImageLimitException.class, "bytes, more than the 1048576 a descriptor may take");
    }

    private void assertRefused(String text, Class<? extends IOException> type, String message) throws IOException {
        Path xml = Files.writeString(dir.resolve("DiskDescriptor.xml"), text);
        assertThatThrownBy(() -> FORMATS.open(xml)).isInstanceOf(type).hasMessageContaining(message);
    }
}
