package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.BackingChainException;
import io.qcow4j.FilePolicy;
import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.testing.Qemu;

/**
 * Descriptors from strangers name whatever they like as extents: the host's file policy decides which open (the
 * OpenStack flaw CVE-2022-47951 was reading {@code /etc/passwd} or another tenant's disk through a FLAT extent), and
 * no policy opens a device, a FIFO or a socket as one.
 */
@Timeout(60)
class HostileFilesTest {

    private static final OpenOptions SAFE = OpenOptions.builder().filePolicy(FilePolicy.refuseOtherFiles()).build();
    private static final OpenOptions BESIDE = OpenOptions.builder().filePolicy(FilePolicy.besideImage()).build();

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
    }

    private Path naming(String name, long sectors) throws Exception {
        return Fixtures.write(dir.resolve("evil.vmdk"), Fixtures.descriptor(1, 0xffffffffL, "monolithicFlat", null,
                "RW " + sectors + " FLAT \"" + name + "\" 0"));
    }

    @Test
    void etcPasswdIsReadOnlyWhereThePolicyAllowsIt() throws Exception {
        byte[] passwd = Files.readAllBytes(Path.of("/etc/passwd"));
        Path image = naming("/etc/passwd", passwd.length / 512);
        // qemu-img's own behaviour, the default: the file is read as the disk
        try (Image opened = Images.open(image)) {
            ByteBuffer first = ByteBuffer.allocate(512);
            opened.readFully(first, 0);
            assertThat(first.array()).isEqualTo(Arrays.copyOf(passwd, 512));
        }
        assertThatThrownBy(() -> Images.open(image, SAFE)).isInstanceOf(UnsafeImageException.class)
                .hasMessage(image + ": the image has the extent file '/etc/passwd'; safe mode opens no file but the image");
        assertThatThrownBy(() -> Images.open(image, BESIDE)).isInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("the extent file '/etc/passwd' is not beside the image");
    }

    @Test
    void namesThatLeaveTheDirectoryAreRefusedBesideTheImage() throws Exception {
        Path inner = Files.createDirectory(dir.resolve("inner"));
        Files.write(dir.resolve("outside.bin"), new byte[1024]);
        Files.createSymbolicLink(inner.resolve("link.bin"), dir.resolve("outside.bin"));
        for (String name : List.of("../outside.bin", "link.bin", dir.resolve("outside.bin").toString())) {
            Path image = Fixtures.write(inner.resolve("evil.vmdk"), Fixtures.descriptor(1, 0xffffffffL,
                    "monolithicFlat", null, "RW 2 FLAT \"" + name + "\" 0"));
            assertThatThrownBy(() -> Images.open(image, BESIDE)).as(name).isInstanceOf(UnsafeImageException.class)
                    .hasMessageContaining("is not beside the image");
            try (Image opened = Images.open(image)) {
                assertThat(opened.size()).isEqualTo(1024);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/dev/zero", "/dev/null", "/dev/urandom"})
    void aCharacterDeviceIsNeverAnExtent(String device) throws Exception {
        Path image = naming(device, 2048);
        assertThatThrownBy(() -> Images.open(image)).isInstanceOf(UnsafeImageException.class)
                .hasMessage(image + ": descriptor line 10: the extent file '" + device + "' (" + device
                        + ") is a character device; extents are read only from regular files");
    }

    @Test
    void aFifoIsNeverOpened() throws Exception {
        Path fifo = dir.resolve("fifo");
        Qemu.run("mkfifo", fifo.toString());
        Path image = naming("fifo", 16);
        // opening a FIFO for reading would wait for a writer forever: the refusal comes first
        assertThatThrownBy(() -> Images.open(image, BESIDE)).isInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("the extent file 'fifo' (" + fifo + ") is a FIFO");
    }

    @Test
    void aBlockDeviceIsNeverAnExtent() throws Exception {
        Path device = dir.resolve("disk0");
        assumeTrue(Qemu.onPath("mknod"), "mknod is not installed");
        try {
            Qemu.run("mknod", device.toString(), "b", "7", "200");
        } catch (IllegalStateException e) {
            assumeTrue(false, "cannot make a device node here (not root?): " + e.getMessage());
        }
        Path image = naming("disk0", 16);
        assertThatThrownBy(() -> Images.open(image)).isInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("is a block device; extents are read only from regular files");
        Files.createSymbolicLink(dir.resolve("innocent.bin"), device);
        Path linked = naming("innocent.bin", 16);
        assertThatThrownBy(() -> Images.open(linked)).isInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("is a block device");
    }

    @Test
    void aLinkToADeviceIsRefusedToo() throws Exception {
        Files.createSymbolicLink(dir.resolve("data.bin"), Path.of("/dev/zero"));
        Path image = naming("data.bin", 16);
        assertThatThrownBy(() -> Images.open(image, BESIDE)).isInstanceOf(UnsafeImageException.class);
        assertThatThrownBy(() -> Images.open(image)).isInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("is a character device");
    }

    @Test
    void aNameThroughAnotherProtocolLeadsNowhere() throws Exception {
        Path image = naming("nbd://example.com/disk", 16);
        assertThatThrownBy(() -> Images.open(image)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("'nbd://example.com/disk' is reached through QEMU's 'nbd:' protocol");
    }

    @Test
    void safeModeReadsSingleFileSparseAndStreamImages() throws Exception {
        for (String subformat : List.of("monolithicSparse", "streamOptimized")) {
            Path image = VmdkTools.create(dir.resolve(subformat + ".vmdk"), "1M", "subformat=" + subformat);
            VmdkTools.io(image, "write -P 0x42 0 64k");
            try (Image opened = Images.open(image, SAFE)) {
                ByteBuffer first = ByteBuffer.allocate(65536);
                opened.readFully(first, 0);
                assertThat(first.array()).containsOnly(0x42);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"monolithicFlat", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat"})
    void safeModeRefusesImagesOfSeveralFiles(String subformat) {
        Path image = VmdkTools.create(dir.resolve("disk.vmdk"), "1M", "subformat=" + subformat);
        assertThatThrownBy(() -> Images.open(image, SAFE)).isInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("safe mode opens no file but the image");
    }

    @Test
    void safeModeRefusesADeltaWhetherOrNotItsParentIsFollowed() throws Exception {
        Path base = VmdkTools.create(dir.resolve("base.vmdk"), "1M");
        VmdkTools.io(base, "write -P 0x11 0 1M");
        Path top = VmdkTools.delta(dir.resolve("top.vmdk"), base);
        String refusal = top + ": the image has the backing file 'base.vmdk'; safe mode opens no file but the image";
        assertThatThrownBy(() -> Images.open(top, SAFE)).isInstanceOf(UnsafeImageException.class)
                .hasMessage(refusal);
        assertThatThrownBy(() -> Images.open(top, SAFE.toBuilder().followBacking(false).build()))
                .isInstanceOf(UnsafeImageException.class).hasMessage(refusal);
        try (Image unfollowed = Images.open(top, OpenOptions.builder().followBacking(false).build())) {
            assertThat(unfollowed.backing()).isEmpty();
            ByteBuffer first = ByteBuffer.allocate(4096);
            unfollowed.readFully(first, 0);
            assertThat(first.array()).containsOnly(0);
            assertThat(unfollowed.info().backingFilename()).isEqualTo("base.vmdk");
            assertThat(unfollowed.info().fullBackingFilename()).isEqualTo(base);
        }
    }

    @Test
    void safeModeRefusesASparseFileWhoseDescriptorNamesOthers() throws Exception {
        Fixtures.write(dir.resolve("data.vmdk"), new Fixtures.Hosted().build(new byte[1 << 20]));
        Fixtures.Hosted holder = new Fixtures.Hosted();
        holder.descriptorOnly = true;
        holder.descriptor = Fixtures.descriptor(1, 0xffffffffL, "twoGbMaxExtentSparse", null,
                "RW 2048 SPARSE \"data.vmdk\"");
        Path image = Fixtures.write(dir.resolve("holder.vmdk"), holder.build(new byte[0]));
        assertThatThrownBy(() -> Images.open(image, SAFE)).isInstanceOf(UnsafeImageException.class)
                .hasMessageContaining("the extent file 'data.vmdk'");
    }
}
