package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Allocation;
import io.qcow4j.BackingChainException;
import io.qcow4j.BlockStatus;
import io.qcow4j.FilePolicy;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;
import io.qcow4j.Images;
import io.qcow4j.NoSuchSnapshotException;
import io.qcow4j.OpenOptions;
import io.qcow4j.SnapshotInfo;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.testing.Bytes;
import io.qcow4j.testing.ImageContent;
import io.qcow4j.testing.Qemu;

/** Snapshots, external data files, backing-chain rules and header flags, against qemu-img. */
class Qcow2FeaturesTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
    }

    static byte[] readAll(Image image) throws IOException {
        ByteBuffer all = ByteBuffer.allocate((int) image.size());
        image.readFully(all, 0);
        return all.array();
    }

    private byte[] reference(Path image, String... extra) throws IOException {
        Path raw = dir.resolve("reference-" + System.nanoTime() + ".raw");
        return Files.readAllBytes(Qemu.toRaw(image, raw, extra));
    }

    @Test
    void snapshotsReadWithTheirOwnL1TableAtTheImagesSize() throws Exception {
        Path image = Qemu.createQcow2(dir.resolve("snap.qcow2"), "2M");
        Qemu.io(image, "qcow2", "write -P 1 0 1M", "write -P 9 1536k 4096");
        Qemu.run("qemu-img", "snapshot", "-c", "first", image.toString());
        Qemu.run("qemu-img", "resize", "-q", image.toString(), "3M");
        Qemu.io(image, "qcow2", "write -P 2 512k 2M");
        Qemu.run("qemu-img", "snapshot", "-c", "second", image.toString());
        Qemu.io(image, "qcow2", "write -z 0 3M");

        try (Image active = Images.open(image)) {
            assertThat(active.size()).isEqualTo(3 << 20);
            Bytes.assertSame(readAll(active), reference(image));
            List<SnapshotInfo> snapshots = active.info().snapshots();
            assertThat(snapshots).extracting(SnapshotInfo::id).containsExactly("1", "2");
            assertThat(snapshots).extracting(SnapshotInfo::name).containsExactly("first", "second");
            assertThat(snapshots).extracting(SnapshotInfo::diskSize).containsExactly(2L << 20, 3L << 20);
            assertThat(snapshots.get(0).dateSec()).isPositive();
        }
        // by name and by id, as qemu-img's -l takes either, bare or as its snapshot.id / snapshot.name options
        for (String which : List.of("first", "1", "snapshot.name=first", "snapshot.id=1",
                "snapshot.id=1,snapshot.name=first")) {
            try (Image first = Images.open(image, OpenOptions.builder().snapshot(which).build())) {
                // taken at 2 MiB, read at 3 MiB as qemu-img convert -l reads it
                assertThat(first.size()).isEqualTo(3 << 20);
                Bytes.assertSame(readAll(first), reference(image, "-l", which));
            }
        }
        try (Image second = Images.open(image, OpenOptions.builder().snapshot("second").build())) {
            assertThat(second.size()).isEqualTo(3 << 20);
            Bytes.assertSame(readAll(second), reference(image, "-l", "second"));
        }
        assertThatThrownBy(() -> Images.open(image, OpenOptions.builder().snapshot("third").build()))
                .isInstanceOf(NoSuchSnapshotException.class)
                .hasMessageContaining("no snapshot with id or name 'third' (2 snapshots)");
        // the options must name one snapshot: id 2 is "second", not "first"
        assertThatThrownBy(() -> Images.open(image, OpenOptions.builder().snapshot(
                "snapshot.id=2,snapshot.name=first").build())).isInstanceOf(NoSuchSnapshotException.class);
        assertThatThrownBy(() -> Images.open(image, OpenOptions.builder().snapshot("snapshot.size=1").build()))
                .isInstanceOf(NoSuchSnapshotException.class);
    }

    @Test
    void aSnapshotOfAnImageGrownSinceReadsPastItsL1TableFromTheBackingFile() throws Exception {
        // 512-byte clusters: an L1 entry maps 32 KiB, so the snapshot's L1 table ends where its 2 MiB disk ended
        ImageContent.writeRaw(dir.resolve("grown-base.raw"), 3 << 20, 5);
        Path top = Qemu.createQcow2(dir.resolve("grown.qcow2"), "2M", "backing_file=grown-base.raw",
                "backing_fmt=raw", "cluster_size=512");
        Qemu.io(top, "qcow2", "write -P 3 100k 50k");
        Qemu.run("qemu-img", "snapshot", "-c", "small", top.toString());
        Qemu.run("qemu-img", "resize", "-q", top.toString(), "3M");
        Qemu.io(top, "qcow2", "write -P 4 2500k 100k");
        try (Image snapshot = Images.open(top, OpenOptions.builder().snapshot("small").build())) {
            assertThat(snapshot.size()).isEqualTo(3 << 20);
            assertThat(snapshot.info().snapshots()).extracting(SnapshotInfo::diskSize).containsExactly(2L << 20);
            Bytes.assertSame(readAll(snapshot), reference(top, "-l", "small"));
        }
    }

    @Test
    void snapshotsOverABackingChain() throws Exception {
        Path base = ImageContent.writeRaw(dir.resolve("base.raw"), 2 << 20, 7);
        Path top = dir.resolve("top.qcow2");
        Qemu.createQcow2(top, "2M", "backing_file=base.raw", "backing_fmt=raw", "cluster_size=4096");
        Qemu.io(top, "qcow2", "write -P 3 100k 50k");
        Qemu.run("qemu-img", "snapshot", "-c", "s", top.toString());
        Qemu.io(top, "qcow2", "write -P 4 0 2M");
        try (Image snapshot = Images.open(top, OpenOptions.builder().snapshot("s").build())) {
            Bytes.assertSame(readAll(snapshot), reference(top, "-l", "s"));
            assertThat(snapshot.backing()).isPresent();
        }
    }

    @Test
    void externalDataFiles() throws Exception {
        Path image = dir.resolve("df.qcow2");
        // qemu-img creates a relative data file name relative to its working directory: give absolute names
        Qemu.createQcow2(image, "2M", "data_file=" + dir.resolve("df.data"));
        Qemu.io(image, "qcow2", "write -P 1 64k 100k", "write -z 512k 64k", "write -P 2 1000k 3k");
        Path rawData = dir.resolve("dfr.qcow2");
        Qemu.createQcow2(rawData, "2M", "data_file=" + dir.resolve("dfr.data"), "data_file_raw=on");
        Qemu.io(rawData, "qcow2", "write -P 5 3k 200k", "write -z 1M 64k");
        for (Path p : List.of(image, rawData)) {
            try (Image opened = Images.open(p)) {
                Bytes.assertSame(readAll(opened), reference(p));
                Map<String, Object> specific = opened.info().formatSpecific();
                assertThat(specific.get("data-file")).isEqualTo(dir.resolve(p == image ? "df.data" : "dfr.data").toString());
                assertThat(specific.get("data-file-raw")).isEqualTo(p == rawData);
            }
            assertThatThrownBy(() -> Images.open(p, OpenOptions.builder().filePolicy(FilePolicy.refuseOtherFiles()).build()))
                    .isInstanceOf(UnsafeImageException.class)
                    .hasMessageContaining("external data file");
        }
    }

    @Test
    void dataFileWithABackingChain() throws Exception {
        Path base = ImageContent.writeRaw(dir.resolve("base.raw"), 1 << 20, 3);
        Path image = dir.resolve("df.qcow2");
        Qemu.createQcow2(image, "1M", "data_file=" + dir.resolve("df.data"), "backing_file=base.raw",
                "backing_fmt=raw");
        Qemu.io(image, "qcow2", "write -P 1 64k 100k", "write -z 512k 64k");
        try (Image opened = Images.open(image)) {
            Bytes.assertSame(readAll(opened), reference(image));
        }
        assertThat(base).exists();
    }

    @Test
    void relativeBackingNamesResolveAgainstTheOverlaysDirectory() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("images/base"));
        Path base = Qemu.createQcow2(sub.resolve("base.qcow2"), "1M");
        Qemu.io(base, "qcow2", "write -P 0x11 0 64k");
        Path top = dir.resolve("images/top.qcow2");
        Qemu.createQcow2(top, "2M", "backing_file=base/base.qcow2", "backing_fmt=qcow2");
        try (Image opened = Images.open(top)) {
            ImageInfo info = opened.info();
            assertThat(info.backingFilename()).isEqualTo("base/base.qcow2");
            assertThat(info.fullBackingFilename()).isEqualTo(dir.resolve("images/base/base.qcow2"));
            assertThat(info.backingFormat()).isEqualTo("qcow2");
            Bytes.assertSame(readAll(opened), reference(top));
            // past the end of the 1 MiB backing image the overlay reads zeros
            assertThat(opened.blockStatus(1 << 20, 1 << 20))
                    .isEqualTo(new BlockStatus(1 << 20, 1 << 20, Allocation.UNALLOCATED, false, 0, -1));
            assertThat(opened.blockStatus(0, 1 << 20).depth()).isEqualTo(1);
        }
    }

    @Test
    void aRawBackingFileIsNeverProbedAsQcow2() throws Exception {
        // the backing file is declared raw but its bytes are a qcow2 image: they must be read as they are
        Path inner = Qemu.createQcow2(dir.resolve("inner.qcow2"), "1M");
        Qemu.io(inner, "qcow2", "write -P 0x42 0 64k");
        Path disguised = Files.copy(inner, dir.resolve("disguised.raw"));
        Path top = Qemu.createQcow2(dir.resolve("top.qcow2"), "1M", "backing_file=disguised.raw",
                "backing_fmt=raw");
        try (Image opened = Images.open(top)) {
            assertThat(opened.backing().orElseThrow().format()).isEqualTo("raw");
            byte[] bytes = readAll(opened);
            Bytes.assertSame(bytes, reference(top));
            assertThat(Arrays.copyOf(bytes, 4)).containsExactly('Q', 'F', 'I', 0xfb);
        }
    }

    @Test
    void aMissingBackingFileIsNamed() throws Exception {
        Path base = Qemu.createQcow2(dir.resolve("gone.qcow2"), "1M");
        Path top = Qemu.createQcow2(dir.resolve("top.qcow2"), "1M", "backing_file=gone.qcow2",
                "backing_fmt=qcow2");
        Files.delete(base);
        assertThatThrownBy(() -> Images.open(top))
                .isInstanceOf(BackingChainException.class)
                .hasMessageContaining("backing file " + dir.resolve("gone.qcow2") + " does not exist");
        assertThatThrownBy(() -> Images.open(top, OpenOptions.builder().filePolicy(FilePolicy.refuseOtherFiles()).build()))
                .isInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("backing file 'gone.qcow2'");
        // as qemu-img info does, the image alone opens without its backing file, and still names it
        assertThatThrownBy(() -> Images.open(top, OpenOptions.builder().followBacking(false).filePolicy(FilePolicy.refuseOtherFiles()).build()))
                .isInstanceOf(UnsafeImageException.class);
        try (Image alone = Images.open(top, OpenOptions.builder().followBacking(false).build())) {
            assertThat(alone.backing()).isEmpty();
            assertThat(alone.info().backingFilename()).isEqualTo("gone.qcow2");
            ByteBuffer zeros = ByteBuffer.allocate(4096);
            alone.readFully(zeros, 0);
            assertThat(zeros.array()).containsOnly(0);
        }
    }

    @Test
    void dirtyAndCorruptImagesOpenReadOnly() throws Exception {
        Path image = Qemu.createQcow2(dir.resolve("flags.qcow2"), "1M", "lazy_refcounts=on");
        Qemu.io(image, "qcow2", "write -P 0x5c 4k 8k");
        byte[] expected = reference(image);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.seek(72);
            file.writeLong(Qcow2Header.INCOMPAT_DIRTY | Qcow2Header.INCOMPAT_CORRUPT);
        }
        try (Image opened = Images.open(image)) {
            assertThat(readAll(opened)).isEqualTo(expected);
            ImageInfo info = opened.info();
            assertThat(info.dirty()).isTrue();
            assertThat(info.formatSpecific()).containsEntry("corrupt", true).containsEntry("lazy-refcounts", true);
        }
    }

    @Test
    void infoMatchesQemuImgForBitmapsAndCompat() throws Exception {
        Path v2 = Qemu.createQcow2(dir.resolve("v2.qcow2"), "1M", "compat=0.10");
        try (Image opened = Images.open(v2)) {
            assertThat(opened.info().formatSpecific()).containsExactly(Map.entry("compat", "0.10"),
                    Map.entry("compression-type", "zlib"), Map.entry("refcount-bits", 16));
        }
        Path bitmaps = Qemu.createQcow2(dir.resolve("bm.qcow2"), "1M", "compression_type=zstd", "refcount_bits=8");
        Qemu.run("qemu-img", "bitmap", "--add", bitmaps.toString(), "b0");
        Qemu.run("qemu-img", "bitmap", "--add", "-g", "128k", "--disable", bitmaps.toString(), "b1");
        try (Image opened = Images.open(bitmaps)) {
            Map<String, Object> specific = opened.info().formatSpecific();
            assertThat(specific.keySet()).containsExactly("compat", "compression-type", "lazy-refcounts",
                    "bitmaps", "refcount-bits", "corrupt", "extended-l2");
            assertThat(specific.get("compression-type")).isEqualTo("zstd");
            assertThat(specific.get("refcount-bits")).isEqualTo(8);
            assertThat(specific.get("bitmaps")).isEqualTo(List.of(
                    Map.of("flags", List.of("auto"), "name", "b0", "granularity", 65536L),
                    Map.of("flags", List.of(), "name", "b1", "granularity", 131072L)));
        }
    }
}
