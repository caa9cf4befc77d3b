package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.BlockStatus;
import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.ImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsupportedFeatureException;

/**
 * Damaged and hostile structures: every one fails with an {@link ImageException} of the right kind whose message
 * names the field, when the image is opened or when the damaged part is read; never a hang, an unchecked exception,
 * an {@link Error} or wrong bytes.
 */
@Timeout(60)
class HostileStructuresTest {

    private static final int GRAIN = 4096;

    @TempDir
    Path dir;

    /** Opens the image, walks its map and reads it all; returns what stopped that, or null. */
    private static ImageException failure(Path image, OpenOptions options) throws IOException {
        try (Image opened = Images.open(image, options)) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < opened.size(); ) {
                BlockStatus status = opened.blockStatus(at, opened.size() - at);
                at = status.end();
            }
            for (long at = 0; at < opened.size(); at += chunk.capacity()) {
                opened.read(chunk.clear(), at);
            }
            return null;
        } catch (ImageException e) {
            return e;
        }
    }

    private static ImageException failure(Path image) throws IOException {
        return failure(image, OpenOptions.defaults());
    }

    private byte[] disk() {
        byte[] disk = Fixtures.content(1 << 20, GRAIN, 31);
        disk[0] = 1;
        disk[disk.length - 1] = 1;
        return disk;
    }

    /** A monolithicSparse of 4 KiB grains, patched. */
    private Path sparse(Consumer<ByteBuffer> patch) throws IOException {
        Fixtures.Hosted hosted = new Fixtures.Hosted();
        hosted.grainSectors = GRAIN / 512;
        hosted.descriptor = Fixtures.descriptor(1, 0xffffffffL, "monolithicSparse", null);
        ByteBuffer file = ByteBuffer.wrap(hosted.build(disk())).order(ByteOrder.LITTLE_ENDIAN);
        patch.accept(file);
        return Fixtures.write(dir.resolve("sparse.vmdk"), file.array());
    }

    /** A stream-optimized disk with its footer, patched. */
    private Path stream(Consumer<ByteBuffer> patch) throws IOException {
        Fixtures.Stream stream = new Fixtures.Stream();
        stream.descriptor = Fixtures.descriptor(1, 0xffffffffL, "streamOptimized", null);
        ByteBuffer file = ByteBuffer.wrap(stream.build(disk())).order(ByteOrder.LITTLE_ENDIAN);
        patch.accept(file);
        return Fixtures.write(dir.resolve("stream.vmdk"), file.array());
    }

    private static void assertFails(ImageException e, Class<? extends ImageException> type, String... fragments) {
        assertThat(e).isInstanceOf(type);
        for (String fragment : fragments) {
            assertThat(e).hasMessageContaining(fragment);
        }
    }

    @Test
    void tooSmallToBeAVmdk() throws Exception {
        Path image = Fixtures.write(dir.resolve("tiny.vmdk"), new byte[] {'K', 'D', 'M'});
        assertFails(failure(image, OpenOptions.builder().format("vmdk").build()), CorruptImageException.class,
                "the file is too small (3 bytes) to be a VMDK");
    }

    @Test
    void sparseHeaderFields() throws Exception {
        assertFails(failure(sparse(f -> f.putInt(4, 4))), UnsupportedFeatureException.class,
                "sparse header: unsupported VMDK version 4");
        assertFails(failure(sparse(f -> f.putInt(44, 0))), ImageLimitException.class,
                "sparse header: numGTEsPerGT 0 is outside 1..512");
        assertFails(failure(sparse(f -> f.putInt(44, 513))), ImageLimitException.class,
                "sparse header: numGTEsPerGT 513 is outside 1..512");
        assertFails(failure(sparse(f -> f.putLong(20, 0))), ImageLimitException.class,
                "sparse header: grainSize 0 sectors is outside 1..2097152");
        assertFails(failure(sparse(f -> f.putLong(20, 0x200001))), ImageLimitException.class,
                "sparse header: grainSize 2097153 sectors");
        assertFails(failure(sparse(f -> f.put(75, (byte) '\n'))), CorruptImageException.class,
                "sparse header: the newline check bytes are 0a200a0a", "text-mode transfer");
        assertFails(failure(sparse(f -> f.putShort(77, (short) 2))), UnsupportedFeatureException.class,
                "sparse header: unknown compressAlgorithm 2");
        assertFails(failure(sparse(f -> f.putLong(64, 1L << 40))), CorruptImageException.class,
                "sparse header: the file is truncated: the grains start at sector 1099511627776 (overHead)");
        assertFails(failure(sparse(f -> f.putLong(12, -1))), ImageLimitException.class,
                "sparse header: capacity 18446744073709551615 sectors is more than this reader's");
    }

    @Test
    void aDescriptorSizeOfAnyValueReadsTheDescriptorUpToItsEnd() throws Exception {
        // descriptorSize is unsigned: past 2^54 sectors its size in bytes overflows a long
        for (long sectors : new long[] {1, 1L << 20, 0x00ff141478307830L, Long.MAX_VALUE, -1}) {
            Path image = sparse(f -> f.putLong(36, sectors));
            assertThat(failure(image)).as("descriptorSize %s", Long.toUnsignedString(sectors)).isNull();
            try (Image opened = Images.open(image)) {
                ByteBuffer all = ByteBuffer.allocate((int) opened.size());
                opened.read(all, 0);
                assertThat(all.array()).isEqualTo(disk());
            }
        }
    }

    @Test
    void aGrainDirectoryTooLargeToHold() throws Exception {
        // 2^40 sectors in tables of one grain of one sector: a directory of 2^40 entries
        Path image = sparse(f -> f.putLong(12, 1L << 40).putLong(20, 1).putInt(44, 1));
        assertFails(failure(image), ImageLimitException.class, "needs a grain directory of 1099511627776 entries, "
                + "more than QEMU's 33554432");
    }

    /**
     * A terabyte of one-sector grains in 4 Mi empty grain tables: walking its map 32 MiB at a time, as the converter
     * does, looks at each directory entry once, not at every later one for every query.
     */
    @Test
    @Timeout(10)
    void anEmptyDirectoryIsWalkedInLinearTime() throws Exception {
        int entries = 4 << 20;
        Path image = dir.resolve("empty-terabyte.vmdk");
        byte[] descriptor = Fixtures.descriptor(1, 0xffffffffL, "monolithicSparse", null)
                .getBytes(StandardCharsets.US_ASCII);
        ByteBuffer header = Fixtures.le(512 + 20 * 512);
        new Fixtures.Hosted().header(header, (long) entries * 512, 21 + entries / 128, 21, 0, 20, 0);
        header.putLong(20, 1).put(512, descriptor);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.write(header.array());
            file.setLength((21L + entries / 128) * 512);
        }
        try (Image opened = Images.open(image)) {
            assertThat(opened.size()).isEqualTo(1L << 40);
            long runs = 0;
            for (long at = 0; at < opened.size(); at += 32 << 20) {
                BlockStatus status = opened.blockStatus(at, 32 << 20);
                assertThat(status.length()).isEqualTo(32 << 20);
                runs++;
            }
            assertThat(runs).isEqualTo(32768);
        }
    }

    @Test
    void theChainsMemoryLimitCountsTheGrainDirectory() throws Exception {
        Path image = sparse(f -> { });
        assertFails(failure(image, OpenOptions.builder().chainMemoryLimit(4).build()), ImageLimitException.class,
                "its grain directory of the image (8 bytes) would bring the tables",
                "over the 4-byte limit (the options' chainMemoryLimit)");
        // the tables the chain may keep decoded count too: 256 tables of 512 entries
        assertFails(failure(image, OpenOptions.builder().chainMemoryLimit(1 << 20).build()),
                ImageLimitException.class, "its share of the chain's grain table cache (1048576 bytes) would bring the tables");
        try (Image opened = Images.open(image, OpenOptions.builder().chainMemoryLimit(8 + (1 << 20)).build())) {
            assertThat(opened.size()).isEqualTo(1 << 20);
        }
    }

    @Test
    void tablesAndGrainsPastTheEndOfTheFile() throws Exception {
        // the header's gdOffset (byte 56), then the directory's first entry
        assertFails(failure(sparse(f -> f.putLong(56, 1L << 30))), CorruptImageException.class,
                "grain directory at offset 549755813888 (4 bytes) passes the end of the");
        assertFails(failure(sparse(f -> f.putInt((int) (f.getLong(56) * 512), 0x7fffffff))),
                CorruptImageException.class, "grain table 0 at offset 1099511627264", "passes the end of the");
        byte[] whole = Files.readAllBytes(sparse(f -> { }));
        Path cut = Fixtures.write(dir.resolve("cut.vmdk"), Arrays.copyOf(whole, whole.length - 3 * GRAIN));
        assertFails(failure(cut), CorruptImageException.class, "grain for extent offset 1036288 is at host offset "
                + "794624, past the end of the 794624-byte file cut.vmdk (truncated?)");
    }

    @Test
    void footerMissingWhereTheHeaderSaysTheDirectoryIsAtTheEnd() throws Exception {
        assertFails(failure(sparse(f -> f.putLong(56, -1))), CorruptImageException.class,
                "puts the grain directory at the end of the file, but the file ends with no valid footer");
    }

    @Test
    void grainMarkers() throws Exception {
        int marker = 128 * 512;
        assertFails(failure(stream(f -> f.putInt(marker + 8, 0))), CorruptImageException.class,
                "compressed grain at host offset " + marker + " (extent offset 0): its marker has size 0");
        assertFails(failure(stream(f -> f.putInt(marker + 8, 3 * 65536))), CorruptImageException.class,
                "its marker says 196608 compressed bytes, more than two 65536-byte grains");
        assertFails(failure(stream(f -> f.putLong(marker, 128))), CorruptImageException.class,
                "its marker says it holds sector 128, but the grain table maps it to sector 0");
        assertFails(failure(stream(f -> f.put(marker + 14, (byte) ~f.get(marker + 14)))),
                CorruptImageException.class, "compressed grain at host offset " + marker);
        byte[] disk = disk();
        int last = disk.length / 65536 - 1;
        while (Fixtures.isZero(disk, (long) last * 65536, (long) (last + 1) * 65536)) {
            last--;
        }
        int lastGrain = last;
        assertFails(failure(stream(f -> f.putInt(Fixtures.markerOffset(f.array(), lastGrain, 128) + 8,
                2 * 65536))), CorruptImageException.class, "compressed bytes pass the end of the");
    }

    @Test
    void aTruncatedStreamWithItsDirectoryAtTheFrontFailsAtTheFirstMissingGrain() throws Exception {
        Path image = VmdkTools.convert(Fixtures.write(dir.resolve("content.raw"), Fixtures.content(4 << 20, 65536,
                32)), dir.resolve("qemu-stream.vmdk"), "subformat=streamOptimized");
        byte[] whole = Files.readAllBytes(image);
        Fixtures.write(image, Arrays.copyOf(whole, whole.length / 2));
        assertFails(failure(image), CorruptImageException.class, "compressed grain at host offset",
                "(truncated?)");
    }

    @Test
    void anUnknownStreamMarker() throws Exception {
        Fixtures.Stream stream = new Fixtures.Stream();
        stream.noFooter = true;
        stream.descriptor = Fixtures.descriptor(1, 0xffffffffL, "streamOptimized", null);
        byte[] bytes = stream.build(disk());
        ByteBuffer file = ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length + 512)).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt(bytes.length + 12, 9);
        Path image = Fixtures.write(dir.resolve("marker.vmdk"), file.array());
        assertFails(failure(image), CorruptImageException.class, "stream marker at offset " + bytes.length
                + ": unknown marker type 9");
    }

    @Test
    void aDescriptorFileTooLarge() throws Exception {
        byte[] text = new byte[Limits.DESCRIPTOR_BYTES + 10];
        Arrays.fill(text, (byte) '#');
        byte[] start = "# Disk DescriptorFile\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(start, 0, text, 0, start.length);
        Path image = Fixtures.write(dir.resolve("huge.vmdk"), text);
        assertFails(failure(image), ImageLimitException.class, "the descriptor file is 1048585 bytes of text");
    }

    @Test
    void descriptorsMissingWhatQemuNeeds() throws Exception {
        assertFails(failure(Fixtures.write(dir.resolve("a.vmdk"), "# Disk DescriptorFile\nversion=1\nCID=1\n"
                + "parentCID=ffffffff\nRW 1 ZERO\n")), CorruptImageException.class, "it has no createType");
        assertFails(failure(Fixtures.write(dir.resolve("b.vmdk"), "# Disk DescriptorFile\nversion=1\n"
                + "createType=\"vmfs\"\nparentCID=ffffffff\nRW 1 ZERO\n")), CorruptImageException.class,
                "the descriptor has no CID (content ID) line");
        assertFails(failure(Fixtures.write(dir.resolve("c.vmdk"), "# Disk DescriptorFile\nversion=1\n"
                + "createType=\"vmfs\"\nCID=1\n")), CorruptImageException.class, "the descriptor lists no extents");
        assertFails(failure(Fixtures.write(dir.resolve("d.vmdk"), "# Disk DescriptorFile\nversion=1\n"
                + "createType=\"fullDevice\"\nCID=1\nparentCID=ffffffff\nRW 1 FLAT \"/dev/sda\" 0\n")),
                UnsupportedFeatureException.class, "'fullDevice' is a disk on raw devices");
        assertFails(failure(Fixtures.write(dir.resolve("e.vmdk"), "# Disk DescriptorFile\nversion=1\n"
                + "createType=\"custom\"\nCID=1\nparentCID=ffffffff\nRW 1 ZERO\n")),
                UnsupportedFeatureException.class, "unsupported VMDK image type 'custom'");
    }

    @Test
    void tooManyExtents() throws Exception {
        StringBuilder text = new StringBuilder(Fixtures.descriptor(1, 0xffffffffL, "vmfs", null));
        for (int i = 0; i <= Limits.EXTENTS; i++) {
            text.append("RW 1 ZERO\n");
        }
        assertFails(failure(Fixtures.write(dir.resolve("many.vmdk"), text.toString())), ImageLimitException.class,
                "more than 8192 extents");
    }

    @Test
    void extentsThatAreNotWhatTheirLineSays() throws Exception {
        Fixtures.write(dir.resolve("text.bin"), "hello, world\n".repeat(100));
        Path notSparse = Fixtures.write(dir.resolve("a.vmdk"), Fixtures.descriptor(1, 0xffffffffL, "vmfsSparse",
                null, "RW 2 SPARSE \"text.bin\""));
        assertFails(failure(notSparse), CorruptImageException.class, "descriptor line 10: extent text.bin: "
                + "the SPARSE extent is not a sparse extent: it starts with 68656c6c, not KDMV or COWD");
        Fixtures.Hosted holder = new Fixtures.Hosted();
        holder.descriptorOnly = true;
        holder.descriptor = Fixtures.descriptor(1, 0xffffffffL, "twoGbMaxExtentSparse", null,
                "RW 2 SPARSE \"nest.vmdk\"");
        Fixtures.write(dir.resolve("nest.vmdk"), holder.build(new byte[0]));
        assertFails(failure(dir.resolve("nest.vmdk")), CorruptImageException.class,
                "the sparse extent holds a descriptor, not grains: descriptors do not nest");
        Path seText = Fixtures.write(dir.resolve("b.vmdk"), Fixtures.descriptor(1, 0xffffffffL, "seSparse", null,
                "RW 2 SESPARSE \"text.bin\""));
        assertFails(failure(seText), CorruptImageException.class, "seSparse header: bad const header magic");
        Path flatShort = Fixtures.write(dir.resolve("c.vmdk"), Fixtures.descriptor(1, 0xffffffffL,
                "monolithicFlat", null, "RW 2048 FLAT \"text.bin\" 0"));
        // the file's 1300 bytes read; the first byte past them fails, naming where the file ends
        assertFails(failure(flatShort), CorruptImageException.class, "the FLAT extent text.bin is 1300 bytes, "
                + "too short for guest bytes at extent offset 1300");
    }

    @Test
    void sparseFilesWithoutADescriptor() throws Exception {
        Path bare = Fixtures.write(dir.resolve("bare.vmdk"), new Fixtures.Hosted().build(disk()));
        assertFails(failure(bare), CorruptImageException.class, "the sparse file has no embedded descriptor "
                + "(descriptorOffset 0): it is an extent of a split disk");
        Set<Long> none = Set.of();
        Path cowd = Fixtures.write(dir.resolve("cowd.vmdk"), new Fixtures.Cowd().build(disk(), none));
        assertFails(failure(cowd), CorruptImageException.class, "a COWD (vmfsSparse) extent carries no descriptor");
    }

    @Test
    void cowdHeaders() throws Exception {
        Set<Long> all = new HashSet<>();
        for (long s = 0; s < 2048; s++) {
            all.add(s);
        }
        ByteBuffer cowd = ByteBuffer.wrap(new Fixtures.Cowd().build(disk(), all)).order(ByteOrder.LITTLE_ENDIAN);
        Path descriptor = Fixtures.write(dir.resolve("d.vmdk"), Fixtures.descriptor(1, 0xffffffffL, "vmfsSparse",
                null, "RW 2048 VMFSSPARSE \"cowd.bin\""));
        Fixtures.write(dir.resolve("cowd.bin"), cowd.duplicate().order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0)
                .array());
        assertFails(failure(descriptor), ImageLimitException.class, "COWD header: granularity 0 sectors");
        cowd.putInt(16, 1).putInt(12, 1 << 20);
        Fixtures.write(dir.resolve("cowd.bin"), cowd.array());
        assertFails(failure(descriptor), CorruptImageException.class, "the grain directory has 1 entries, but "
                + "grain 4096 needs entry 1");
    }

    @Test
    void seSparseHeaders() throws Exception {
        Fixtures.SeGrain[] kinds = new Fixtures.SeGrain[256];
        Arrays.fill(kinds, Fixtures.SeGrain.ALLOCATED);
        byte[] built = new Fixtures.SeSparse().build(disk(), kinds, 1);
        Path descriptor = Fixtures.write(dir.resolve("d.vmdk"), Fixtures.descriptor(1, 0xffffffffL, "seSparse",
                null, "RW 2048 SESPARSE \"se.bin\""));
        record Case(int offset, long value, Class<? extends ImageException> type, String message) {
        }
        for (Case c : new Case[] {
            new Case(8, 1, UnsupportedFeatureException.class, "seSparse header: unsupported version 0x0000000000000001"),
            new Case(24, 16, UnsupportedFeatureException.class, "seSparse header: unsupported grain size 16"),
            new Case(32, 32, UnsupportedFeatureException.class, "seSparse header: unsupported grain table size 32"),
            new Case(40, 1, UnsupportedFeatureException.class, "seSparse header: unsupported flags"),
            new Case(56, 1, UnsupportedFeatureException.class, "seSparse header: reserved field 2 is not zero"),
            new Case(300, 1, UnsupportedFeatureException.class, "non-zero const header padding at byte 300"),
            new Case(512 + 24, 1, UnsupportedFeatureException.class, "the extent is dirty; replaying its journal"),
            new Case(512, 7, CorruptImageException.class, "seSparse volatile header: bad magic"),
            new Case(8 * 512, 0x2000000000000000L, CorruptImageException.class,
                    "seSparse grain directory entry 0 is 0x2000000000000000"),
            new Case(192, -5, CorruptImageException.class, "seSparse header: grains_offset"),
        }) {
            ByteBuffer file = ByteBuffer.wrap(built.clone()).order(ByteOrder.LITTLE_ENDIAN);
            file.putLong(c.offset(), c.value());
            Fixtures.write(dir.resolve("se.bin"), file.array());
            assertFails(failure(descriptor), c.type(), c.message());
        }
        ByteBuffer file = ByteBuffer.wrap(built.clone()).order(ByteOrder.LITTLE_ENDIAN);
        long table = file.getLong(144) * 512;
        file.putLong((int) table + 8, 0x4000000000000001L);
        Fixtures.write(dir.resolve("se.bin"), file.array());
        assertFails(failure(descriptor), CorruptImageException.class,
                "grain table 0 entry 1 is 0x4000000000000001: unknown seSparse grain type 4");
    }
}
