package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.Qemu;

/**
 * libvmdk (Debian's {@code libvmdk-utils}) as a second reader of the fixtures other writers' layouts are built as:
 * {@code vmdkinfo} must see the same size, content IDs and extents, and {@code vmdkmount} the same bytes. Only
 * layouts libvmdk reads: it refuses seSparse and grains of 8 sectors or fewer, reads no zeroed-grain entries, mounts
 * no flat disk, and reads a COWD delta over a parent as the parent alone.
 */
class LibvmdkTest {

    private static final Pattern MEDIA_SIZE = Pattern.compile("Media size:\\s+.*\\((\\d+) bytes\\)");
    private static final Pattern CID = Pattern.compile("\\n\\s*Content identifier:\\s+0x([0-9a-f]+)");
    private static final Pattern PARENT_CID = Pattern.compile("Parent content identifier:\\s+0x([0-9a-f]+)");
    private static final Pattern EXTENTS = Pattern.compile("Number of extents:\\s+(\\d+)");

    @TempDir
    Path dir;

    /** A fixture: the file to open, made in a directory, and the disk it holds. */
    record Fixture(String name, Maker maker) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    interface Maker {
        Path make(Path dir, byte[] disk) throws Exception;
    }

    @BeforeAll
    static void tools() {
        Qemu.require("vmdkinfo");
    }

    static Stream<Fixture> fixtures() {
        return Stream.of(
                new Fixture("monolithicSparse, version 1", (d, disk) -> {
                    Fixtures.Hosted hosted = new Fixtures.Hosted();
                    hosted.descriptor = descriptor("monolithicSparse", disk, "SPARSE \"a.vmdk\"");
                    return Fixtures.write(d.resolve("a.vmdk"), hosted.build(disk));
                }),
                new Fixture("version 3, grains of 16 sectors in tables of 100, out of order", (d, disk) -> {
                    Fixtures.Hosted hosted = new Fixtures.Hosted();
                    hosted.version = 3;
                    hosted.grainSectors = 16;
                    hosted.tableEntries = 100;
                    hosted.order = reversed(disk.length / 8192);
                    hosted.descriptor = descriptor("monolithicSparse", disk, "SPARSE \"b.vmdk\"");
                    return Fixtures.write(d.resolve("b.vmdk"), hosted.build(disk));
                }),
                new Fixture("streamOptimized, footer at the end", (d, disk) -> {
                    Fixtures.Stream stream = new Fixtures.Stream();
                    stream.descriptor = descriptor("streamOptimized", disk, "SPARSE \"c.vmdk\"");
                    return Fixtures.write(d.resolve("c.vmdk"), stream.build(disk));
                }),
                new Fixture("streamOptimized, grains in any order", (d, disk) -> {
                    Fixtures.Stream stream = new Fixtures.Stream();
                    stream.order = reversed(disk.length / 65536);
                    stream.descriptor = descriptor("streamOptimized", disk, "SPARSE \"e.vmdk\"");
                    return Fixtures.write(d.resolve("e.vmdk"), stream.build(disk));
                }),
                new Fixture("twoGbMaxExtentSparse of two extents", (d, disk) -> {
                    int half = disk.length / 2;
                    Fixtures.write(d.resolve("f-s001.vmdk"), new Fixtures.Hosted().build(
                            Arrays.copyOfRange(disk, 0, half)));
                    Fixtures.write(d.resolve("f-s002.vmdk"), new Fixtures.Hosted().build(
                            Arrays.copyOfRange(disk, half, disk.length)));
                    return Fixtures.write(d.resolve("f.vmdk"), Fixtures.descriptor(0x0badcafeL, 0xffffffffL,
                            "twoGbMaxExtentSparse", null, "RW " + half / 512 + " SPARSE \"f-s001.vmdk\"",
                            "RW " + half / 512 + " SPARSE \"f-s002.vmdk\""));
                }),
                new Fixture("a descriptor file with CRLF line ends naming a file with spaces", (d, disk) -> {
                    Fixtures.write(d.resolve("g disk-s001.vmdk"), new Fixtures.Hosted().build(disk));
                    return Fixtures.write(d.resolve("g disk.vmdk"), Fixtures.descriptor(0x0badcafeL, 0xffffffffL,
                            "twoGbMaxExtentSparse", null, "RW " + disk.length / 512 + " SPARSE \"g disk-s001.vmdk\"")
                            .replace("\n", "\r\n"));
                }),
                new Fixture("vmfsSparse COWD of one-sector grains", (d, disk) -> {
                    Set<Long> allocated = new HashSet<>();
                    for (long s = 0; s < disk.length / 512; s += 3) {
                        allocated.add(s);
                    }
                    byte[] cowd = new Fixtures.Cowd().build(disk, allocated);
                    for (long s = 0; s < disk.length / 512; s++) {
                        if (!allocated.contains(s)) {
                            Arrays.fill(disk, (int) s * 512, (int) (s + 1) * 512, (byte) 0);
                        }
                    }
                    Fixtures.write(d.resolve("h-delta.vmdk"), cowd);
                    return Fixtures.write(d.resolve("h.vmdk"), descriptor("vmfsSparse", disk,
                            "VMFSSPARSE \"h-delta.vmdk\""));
                }));
    }

    private static String descriptor(String createType, byte[] disk, String extent) {
        return Fixtures.descriptor(0x0badcafeL, 0xffffffffL, createType, null, "RW " + disk.length / 512 + " "
                + extent);
    }

    private static long[] reversed(int count) {
        long[] order = new long[count];
        for (int i = 0; i < count; i++) {
            order[i] = count - 1 - i;
        }
        return order;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void vmdkinfoSeesWhatWeSee(Fixture fixture) throws Exception {
        byte[] disk = Fixtures.content(3 << 20, 65536, fixture.name().hashCode());
        Path image = fixture.maker().make(dir, disk);
        String info = Qemu.run("vmdkinfo", image.toString());
        try (Image opened = Images.open(image)) {
            assertThat(Long.parseLong(group(MEDIA_SIZE, info))).isEqualTo(opened.size());
            assertThat(Long.parseLong(group(CID, info), 16)).isEqualTo(opened.info().formatSpecific().get("cid"));
            assertThat(Long.parseLong(group(PARENT_CID, info), 16))
                    .isEqualTo(opened.info().formatSpecific().get("parent-cid"));
            assertThat(Integer.parseInt(group(EXTENTS, info)))
                    .isEqualTo(((List<?>) opened.info().formatSpecific().get("extents")).size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void vmdkmountReadsWhatWeRead(Fixture fixture) throws Exception {
        Qemu.require("vmdkmount");
        Qemu.require("fusermount");
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is missing; skipping");
        byte[] disk = Fixtures.content(3 << 20, 65536, fixture.name().hashCode());
        Path image = fixture.maker().make(dir, disk);
        Path mountPoint = Files.createDirectory(dir.resolve("mnt"));
        Qemu.run("vmdkmount", image.toString(), mountPoint.toString());
        byte[] theirs;
        try {
            theirs = Files.readAllBytes(mountPoint.resolve("vmdk1"));
        } finally {
            Qemu.run("fusermount", "-u", mountPoint.toString());
        }
        assertThat(theirs).as("libvmdk reads the fixture as built").isEqualTo(disk);
        try (Image opened = Images.open(image)) {
            byte[] ours = new byte[(int) opened.size()];
            opened.readFully(ByteBuffer.wrap(ours), 0);
            assertThat(ours).isEqualTo(theirs);
        }
    }

    private static String group(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        assertThat(matcher.find()).as("%s in %s", pattern, text).isTrue();
        return matcher.group(1);
    }
}
