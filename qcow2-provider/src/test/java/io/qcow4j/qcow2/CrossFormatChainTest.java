package io.qcow4j.qcow2;

import static io.qcow4j.testing.LayerFormatProvider.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Allocation;
import io.qcow4j.BackingChainException;
import io.qcow4j.BlockStatus;
import io.qcow4j.FilePolicy;
import io.qcow4j.FileReference;
import io.qcow4j.FileReference.Role;
import io.qcow4j.Image;
import io.qcow4j.ImageFormats;
import io.qcow4j.ImageLimitException;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.raw.RawFormatProvider;
import io.qcow4j.testing.Bytes;
import io.qcow4j.testing.LayerFormatProvider;
import io.qcow4j.testing.Qemu;

/**
 * Chains that pass through more than one format (qcow2 over a made-up format over qcow2): the open context keeps
 * loops, depth and memory within the options across every provider, and the host's file policy sees every name.
 */
class CrossFormatChainTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new Qcow2FormatProvider(), new RawFormatProvider(),
            new LayerFormatProvider());
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void requireQemu() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
    }

    /** A qcow2 image whose backing file is {@code backing}, declared as {@code format}, with {@code writes}. */
    private Path qcow2(String name, String backing, String format, String... writes) throws IOException {
        // clusters of 4 KiB: a write of 4 KiB allocates no more than it writes
        Path image = Qemu.createQcow2(dir.resolve(name), "1M", "cluster_size=4096");
        if (writes.length > 0) {
            Qemu.io(image, "qcow2", writes);
        }
        if (backing != null) {
            // qemu-img cannot name a format it does not know: the image is rebased on a qcow2 name, then renamed
            Qemu.run("qemu-img", "rebase", "-q", "-u", "-f", "qcow2", "-b", backing, "-F", "qcow2", image.toString());
            if (!format.equals("qcow2")) {
                declareBackingFormat(image, format);
            }
        }
        return image;
    }

    /** Rewrites the backing format header extension, which says "qcow2", to {@code format} (also 5 letters). */
    private static void declareBackingFormat(Path image, String format) throws IOException {
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

    private Path layerFile(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), layer(MIB, lines));
    }

    @Test
    void aQcow2OverlayOverALayerOverAQcow2BaseReadsEachLayersBytes() throws IOException {
        qcow2("base.qcow2", null, null, "write -P 0x11 0 64k", "write -P 0x22 512k 64k");
        layerFile("mid.layer", "data 65536 65536 0x33", "backing base.qcow2 qcow2");
        Path top = qcow2("top.qcow2", "mid.layer", "layer", "write -P 0x44 0 4k");

        byte[] expected = new byte[MIB];
        Arrays.fill(expected, 0, 64 << 10, (byte) 0x11);
        Arrays.fill(expected, 0, 4 << 10, (byte) 0x44);
        Arrays.fill(expected, 64 << 10, 128 << 10, (byte) 0x33);
        Arrays.fill(expected, 512 << 10, 576 << 10, (byte) 0x22);
        try (Image image = FORMATS.open(top)) {
            Bytes.assertReadsAs(image, expected);
            assertThat(image.backing()).get().extracting(Image::format).isEqualTo("layer");
            assertThat(image.info().fullBackingFilename()).isEqualTo(dir.resolve("mid.layer"));
            List<BlockStatus> map = image.map(0, image.size());
            assertThat(map.get(0)).extracting(BlockStatus::length, BlockStatus::depth).containsExactly(4096L, 0);
            assertThat(map.get(1)).extracting(BlockStatus::allocation, BlockStatus::depth)
                    .containsExactly(Allocation.DATA, 2);
            assertThat(map.get(2)).extracting(BlockStatus::offset, BlockStatus::allocation, BlockStatus::depth)
                    .containsExactly(65536L, Allocation.DATA, 1);
        }
    }

    @Test
    void aLoopThroughAnotherFormatIsABackingChainException() throws IOException {
        layerFile("b.layer", "backing a.qcow2 qcow2");
        Path a = qcow2("a.qcow2", "b.layer", "layer");
        assertThatThrownBy(() -> FORMATS.open(a))
                .isExactlyInstanceOf(BackingChainException.class)
                .hasMessageStartingWith(a + ": " + dir.resolve("b.layer") + ": backing chain loops: ")
                .hasMessageEndingWith(" -> " + a);
        // a layer that names itself
        Path self = layerFile("self.layer", "backing self.layer");
        assertThatThrownBy(() -> FORMATS.open(self)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessageContaining("backing chain loops");
    }

    @Test
    void theDepthLimitCountsTheImagesOfEveryFormat() throws IOException {
        // l0.layer -> q1.qcow2 -> l2.layer -> q3.qcow2 -> l4.layer -> q5.qcow2: six images
        qcow2("q5.qcow2", null, null, "write -P 0x55 0 4k");
        layerFile("l4.layer", "backing q5.qcow2 qcow2");
        qcow2("q3.qcow2", "l4.layer", "layer");
        layerFile("l2.layer", "backing q3.qcow2 qcow2");
        qcow2("q1.qcow2", "l2.layer", "layer");
        Path top = layerFile("l0.layer", "backing q1.qcow2 qcow2");

        assertThatThrownBy(() -> FORMATS.open(top, OpenOptions.builder().maxChainDepth(5).build()))
                .isExactlyInstanceOf(ImageLimitException.class)
                .hasMessageEndingWith("backing chain deeper than 5 images at " + dir.resolve("q5.qcow2"));
        try (Image image = FORMATS.open(top, OpenOptions.builder().maxChainDepth(6).build())) {
            ByteBuffer first = ByteBuffer.allocate(1);
            image.readFully(first, 0);
            assertThat(first.get(0)).isEqualTo((byte) 0x55);
        }
    }

    @Test
    void theMemoryLimitCountsTheTablesOfEveryFormat() throws IOException {
        layerFile("l2.layer", "charge 600");
        layerFile("l1.layer", "charge 600", "backing l2.layer");
        Path top = qcow2("top.qcow2", "l1.layer", "layer");

        assertThatThrownBy(() -> FORMATS.open(top, OpenOptions.builder().chainMemoryLimit(1000).build()))
                .isExactlyInstanceOf(ImageLimitException.class)
                .hasMessage(top + ": " + dir.resolve("l1.layer") + ": " + dir.resolve("l2.layer")
                        + ": its layer table (600 bytes) would bring the"
                        + " tables its backing chain holds in memory to 1200 bytes, over the 1000-byte limit (the"
                        + " options' chainMemoryLimit)");
        try (Image image = FORMATS.open(top, OpenOptions.builder().chainMemoryLimit(2000).build())) {
            assertThat(image.size()).isEqualTo(MIB);
        }
    }

    @Test
    void theHostsResolverSeesEveryNameTheChainAsksFor() throws IOException {
        Path base = Qemu.createQcow2(dir.resolve("base.qcow2"), "1M", "data_file=base.data");
        Qemu.io(base, "qcow2", "write -P 0x66 0 4k");
        layerFile("mid.layer", "backing base.qcow2 qcow2");
        Path top = qcow2("top.qcow2", "mid.layer", "layer");

        List<String> seen = new ArrayList<>();
        FilePolicy recording = reference -> {
            seen.add(reference.image().getFileName() + " " + reference.role() + " " + reference.name());
            return reference.path();
        };
        try (Image image = FORMATS.open(top, OpenOptions.builder().filePolicy(recording).build())) {
            ByteBuffer first = ByteBuffer.allocate(1);
            image.readFully(first, 0);
            assertThat(first.get(0)).isEqualTo((byte) 0x66);
        }
        assertThat(seen).containsExactly("top.qcow2 BACKING mid.layer", "mid.layer BACKING base.qcow2",
                "base.qcow2 DATA_FILE base.data");

        seen.clear();
        FORMATS.open(top, OpenOptions.builder().filePolicy(recording).followBacking(false).build()).close();
        assertThat(seen).as("a name that is not followed is shown all the same").containsExactly(
                "top.qcow2 BACKING mid.layer");
    }

    @Test
    void aResolverMayMapTheNamesImagesStoreToFilesOfItsOwn() throws IOException {
        Path store = Files.createDirectories(dir.resolve("store"));
        Qemu.io(Qemu.createQcow2(store.resolve("ubuntu-24.04.qcow2"), "1M"), "qcow2", "write -P 0x77 0 4k");
        Path top = layerFile("vm.layer", "data 4096 4096 0x01", "backing catalog:ubuntu-24.04 qcow2");
        FilePolicy catalog = reference -> {
            if (!reference.name().startsWith("catalog:")) {
                throw new UnsafeImageException("not in the catalog: " + reference.name());
            }
            return store.resolve(reference.name().substring("catalog:".length()) + ".qcow2");
        };
        try (Image image = FORMATS.open(top, OpenOptions.builder().filePolicy(catalog).build())) {
            ByteBuffer two = ByteBuffer.allocate(2);
            image.readFully(two, 4095);
            assertThat(two.array()).containsExactly(0x77, 0x01);
            assertThat(image.backing().orElseThrow().files()).containsExactly(store.resolve("ubuntu-24.04.qcow2"));
        }
        // without it, the name is QEMU's unknown protocol 'catalog:'
        assertThatThrownBy(() -> FORMATS.open(top)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessageContaining("reached through QEMU's 'catalog:' protocol");
    }

    @Test
    void theBuiltInPoliciesApplyToEveryFormat() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path images = Files.createDirectories(dir.resolve("images"));
        Qemu.createQcow2(outside.resolve("secret.qcow2"), "1M");
        Qemu.createQcow2(images.resolve("base.qcow2"), "1M");
        Files.createSymbolicLink(images.resolve("link.qcow2"), outside.resolve("secret.qcow2"));
        Path beside = Files.writeString(images.resolve("beside.layer"), layer(MIB, "backing base.qcow2 qcow2"));
        Path up = Files.writeString(images.resolve("up.layer"), layer(MIB, "backing ../outside/secret.qcow2"));
        Path linked = Files.writeString(images.resolve("linked.layer"), layer(MIB, "backing link.qcow2"));

        OpenOptions safe = OpenOptions.builder().filePolicy(FilePolicy.refuseOtherFiles()).build();
        assertThatThrownBy(() -> FORMATS.open(beside, safe)).isExactlyInstanceOf(UnsafeImageException.class)
                .hasMessage(beside + ": the image has the backing file 'base.qcow2'; safe mode opens no file but the"
                        + " image");

        OpenOptions besideImage = OpenOptions.builder().filePolicy(FilePolicy.besideImage()).build();
        FORMATS.open(beside, besideImage).close();
        assertThatThrownBy(() -> FORMATS.open(up, besideImage)).isExactlyInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("the backing file '../outside/secret.qcow2' is not beside the image");
        assertThatThrownBy(() -> FORMATS.open(linked, besideImage)).isExactlyInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("the backing file 'link.qcow2' is not beside the image");
        // the default follows QEMU: both open
        FORMATS.open(up).close();
        FORMATS.open(linked).close();
    }

    @Test
    void aReferenceKnowsTheImageItsNameAndRole() {
        FileReference reference = new FileReference(dir.resolve("a.qcow2"), "b.qcow2", Role.BACKING,
                dir.resolve("b.qcow2"));
        assertThat(reference.role().description()).isEqualTo("backing file");
        assertThat(Role.DATA_FILE.description()).isEqualTo("external data file");
    }
}
