package io.qcow4j.fuse;

import static io.qcow4j.testing.FuseTesting.assertNotMounted;
import static io.qcow4j.testing.FuseTesting.requireFuse;
import static io.qcow4j.testing.FuseTesting.unmountQuietly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.nativeaccess.LibC;
import io.qcow4j.testing.FuseTesting;
import io.qcow4j.testing.MemoryImage;

/**
 * Unmounting wherever the mount runs: with fusermount, fusermount3, or umount2 when neither is on the {@code PATH};
 * and a {@link MountException} that says why when none of them can.
 */
class UnmounterTest {

    private static final byte[] BYTES = new byte[4 << 20];

    static {
        new Random(11).nextBytes(BYTES);
    }

    @TempDir
    Path dir;
    Path mountPoint;
    /** A search path with no program in it. */
    HelperPrograms none;

    @BeforeEach
    void setUp() throws IOException {
        mountPoint = Files.createDirectory(dir.resolve("mnt"));
        none = new HelperPrograms(Files.createDirectory(dir.resolve("empty-bin")).toString());
    }

    private RawFileMount mount(Unmounter unmounter) throws IOException {
        return RawFileMount.mount(MemoryImage.of(BYTES), mountPoint, MountOptions.defaults(), System.err, unmounter);
    }

    @Test
    void asRootWithNeitherHelperOnThePathCloseUnmountsThroughUmount2() throws Exception {
        requireFuse();
        assumeTrue(ProcessIds.uid() == 0, "umount2 needs root");
        try (RawFileMount mount = mount(new Unmounter(none, true, LibC.get()))) {
            assertThat(Files.readAllBytes(mount.file())).isEqualTo(BYTES);
            assertThat(FuseTesting.isMounted(mountPoint)).isTrue();
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }

    @Test
    void aBusyMountIsDetachedLazilyThroughUmount2AndEndsWhenTheFileIsClosed() throws Exception {
        requireFuse();
        assumeTrue(ProcessIds.uid() == 0, "umount2 needs root");
        Unmounter unmounter = new Unmounter(none, true, LibC.get());
        try (RawFileMount mount = mount(unmounter)) {
            try (FileChannel open = FileChannel.open(mount.file(), StandardOpenOption.READ)) {
                unmounter.unmount(mountPoint);
                // gone from the namespace at once; the open file is still served
                assertNotMounted(mountPoint);
                ByteBuffer read = ByteBuffer.allocate(4096);
                open.read(read, 1 << 20);
                assertThat(read.array()).isEqualTo(Arrays.copyOfRange(BYTES, 1 << 20, (1 << 20) + 4096));
                assertThat(mount.isMounted()).isTrue();
            }
            assertThat(mount.awaitUnmount(Duration.ofSeconds(30))).isTrue();
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
    }

    @Test
    void withOnlyFusermount3OnThePathItIsTheOneCalled() throws Exception {
        requireFuse();
        Path bin = Files.createDirectory(dir.resolve("fuse3-bin"));
        Path calls = dir.resolve("calls");
        // libfuse 3's helper unmounts libfuse 2's mounts alike; libfuse 2's stands in for it here
        Path fusermount = HelperPrograms.onPath().find("fusermount").orElseThrow();
        script(bin.resolve("fusermount3"), "echo \"$*\" >> " + calls + "\nexec " + fusermount + " \"$@\"\n");
        try (RawFileMount mount = mount(new Unmounter(new HelperPrograms(bin.toString()), false, null))) {
            assertThat(mount.isMounted()).isTrue();
        } finally {
            unmountQuietly(mountPoint);
        }
        assertNotMounted(mountPoint);
        assertThat(Files.readAllLines(calls)).containsExactly("-u " + mountPoint.toRealPath());
    }

    @Test
    void aCloseThatCannotUnmountSaysWhyLeavesTheMountServingAndCanBeTriedAgain() throws Exception {
        requireFuse();
        Path bin = Files.createDirectory(dir.resolve("refusing-bin"));
        // says what a fusermount refusing a user says, naming its last argument
        script(bin.resolve("fusermount"), "for point; do :; done\n"
                + "echo \"fusermount: failed to unmount $point: Operation not permitted\" >&2\nexit 1\n");
        // a user who is not root, whose fusermount refuses: umount2 is not for them
        Unmounter refused = new Unmounter(new HelperPrograms(bin.toString()), false, LibC.get());
        RawFileMount mount = mount(refused);
        Path point = mountPoint.toRealPath();
        try {
            assertThatThrownBy(mount::close).isInstanceOf(MountException.class)
                    .hasMessage("cannot unmount " + point + ": fusermount -u exited with 1: fusermount: failed to"
                            + " unmount " + point + ": Operation not permitted; fusermount -u -z exited with 1:"
                            + " fusermount: failed to unmount " + point + ": Operation not permitted");
            assertThat(mount.isMounted()).isTrue();
            assertThat(FuseTesting.isMounted(mountPoint)).isTrue();
            assertThat(Files.size(mount.file())).isEqualTo(BYTES.length);
        } finally {
            unmountQuietly(mountPoint);
        }
        assertThat(mount.awaitUnmount(Duration.ofSeconds(30))).isTrue();
        // unmounted from outside meanwhile: closing again has nothing left to do, and does not fail
        mount.close();
        assertNotMounted(mountPoint);
    }

    @Test
    void withNeitherHelperNorLibcTheFailureSaysSo() throws Exception {
        requireFuse();
        RawFileMount mount = mount(new Unmounter(none, false, null));
        try {
            assertThatThrownBy(mount::close).isInstanceOf(MountException.class)
                    .hasMessage("cannot unmount " + mountPoint.toRealPath() + ": neither fusermount nor fusermount3"
                            + " is on the PATH; umount2 cannot be called");
            assertThat(mount.isMounted()).isTrue();
        } finally {
            unmountQuietly(mountPoint);
        }
        assertThat(mount.awaitUnmount(Duration.ofSeconds(30))).isTrue();
        mount.close();
    }

    @Test
    void aMountPointWithNothingMountedOnItCannotBeUnmounted() {
        Unmounter unmounter = new Unmounter(HelperPrograms.onPath(), true, LibC.get());
        assertThatThrownBy(() -> unmounter.unmount(mountPoint)).isInstanceOf(MountException.class)
                .hasMessage("cannot unmount " + mountPoint + ": nothing is mounted there");
        assertThatCode(() -> Unmounter.cleanUp(mountPoint)).doesNotThrowAnyException();
    }

    @Test
    void helperProgramsAreTheExecutableFilesOfTheSearchPath() throws Exception {
        Path first = Files.createDirectory(dir.resolve("first"));
        Path second = Files.createDirectory(dir.resolve("second"));
        Files.writeString(first.resolve("tool"), "not executable");
        Files.createDirectory(first.resolve("dir-tool"));
        script(second.resolve("tool"), "exit 0\n");
        script(second.resolve("dir-tool"), "exit 0\n");
        HelperPrograms programs = new HelperPrograms(":" + dir.resolve("absent") + ":" + first + ":" + second);
        assertThat(programs.find("tool")).contains(second.resolve("tool"));
        assertThat(programs.find("dir-tool")).contains(second.resolve("dir-tool"));
        assertThat(programs.find("fusermount")).isEmpty();
        assertThat(new HelperPrograms("").find("tool")).isEmpty();
    }

    private static void script(Path path, String body) throws IOException {
        Files.writeString(path, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
