package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.fuse.MountOptions;
import io.qcow4j.fuse.RawFileMount;
import io.qcow4j.testing.ImageContent;
import io.qcow4j.testing.Qemu;

/** The FUSE mount serves a VMDK as a raw file, unchanged: what any tool reads there is qemu-img's raw image. */
class MountTest {

    @TempDir
    Path dir;

    @BeforeEach
    void fuse() {
        Qemu.require("qemu-img");
        Qemu.require("fusermount");
        boolean present = Files.exists(Path.of("/dev/fuse"));
        if (!present && Qemu.inCi()) {
            fail("/dev/fuse is missing, and CI=true: the CI container must get --device /dev/fuse");
        }
        assumeTrue(present, "/dev/fuse is missing; skipping");
    }

    @ParameterizedTest
    @ValueSource(strings = {"streamOptimized", "twoGbMaxExtentSparse"})
    void mountsAsQemuImgConverts(String subformat) throws Exception {
        Path content = ImageContent.writeRaw(dir.resolve("content.raw"), 8 << 20, 7);
        Path image = VmdkTools.convert(content, dir.resolve("disk.vmdk"), "subformat=" + subformat);
        Path reference = Qemu.toRaw(image, dir.resolve("reference.raw"));
        Path mountPoint = Files.createDirectory(dir.resolve("mnt"));
        try (Image opened = Images.open(image);
             RawFileMount mount = RawFileMount.mount(opened, mountPoint, MountOptions.defaults())) {
            assertThat(mount.file().getFileName()).hasToString("disk.raw");
            Qemu.run("cmp", reference.toString(), mount.file().toString());
        }
        assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(mountPoint.toString());
    }
}
