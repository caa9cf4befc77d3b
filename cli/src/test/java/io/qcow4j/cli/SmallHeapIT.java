package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.cli.LauncherIT.Run;
import io.qcow4j.testing.Qemu;

/**
 * Backing chains whose images each stay within QEMU's limits but add up, read by the launcher in a JVM of a small
 * heap (and so of little direct memory): refused with a line that names the limit, or read, but never out of memory.
 */
class SmallHeapIT {

    private static final Map<String, String> SMALL_HEAP = Map.of("QCOW4J_JAVA_OPTS", "-Xmx256m");
    private static final Map<String, String> TINY_HEAP = Map.of("QCOW4J_JAVA_OPTS", "-Xmx64m");

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
    }

    /**
     * Three images of 128 GiB in 512-byte clusters: each holds an L1 table of 32 MiB (sparse on disk), the most QEMU
     * allows; the chain's 96 MiB pass a quarter of the heap, the limit for the tables a chain holds.
     */
    @Test
    void aChainWhoseL1TablesPassAQuarterOfTheHeapIsRefusedNamingTheLimit() throws Exception {
        for (int i = 2; i >= 0; i--) {
            Path image = dir.resolve("c" + i + ".qcow2");
            if (i == 2) {
                Qemu.createQcow2(image, "1M", "cluster_size=512");
            } else {
                Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=512", "-u", "-b",
                        "c" + (i + 1) + ".qcow2", "-F", "qcow2", image.toString(), "1M");
            }
            growTo128GiB(image);
        }
        Run two = LauncherIT.run(dir, SMALL_HEAP, LauncherIT.LAUNCHER.toString(), "read", "--length", "512",
                "c1.qcow2");
        assertThat(two.exit()).as(two.err()).isZero();
        assertThat(two.out()).hasSize(512);

        Run three = LauncherIT.run(dir, SMALL_HEAP, LauncherIT.LAUNCHER.toString(), "read", "--length", "512",
                "c0.qcow2");
        assertThat(three.exit()).isEqualTo(1);
        // the backing files open first: the top image's table is the one that passes the limit
        assertThat(three.err()).isEqualTo("qcow2: c0.qcow2: its L1 table (33554432 bytes)"
                + " would bring the tables its backing chain holds in memory to 100663296 bytes, over the"
                + " 67108864-byte limit (a quarter of this JVM's heap)\n");
    }

    /** The virtual size and L1 table of 128 GiB in 512-byte clusters, the table's new entries holes in the file. */
    private static void growTo128GiB(Path image) throws Exception {
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(48);
            file.read(header, 0);
            long l1Offset = header.getLong(40);
            int entries = 4 << 20;
            file.write(ByteBuffer.allocate(8).putLong(0, 128L << 30), 24);
            file.write(ByteBuffer.allocate(4).putInt(0, entries), 36);
            file.write(ByteBuffer.allocate(1), l1Offset + 8L * entries - 1);
        }
    }

    /**
     * Twenty images of 2 MiB clusters, each with one compressed cluster of its own: each thread decompresses with one
     * pair of buffers for the whole chain (6 MiB), where a pair per image took 120 MiB, more than the 64 MiB there.
     */
    @Test
    void aChainOfManyImagesWithCompressedClustersConvertsInATinyHeap() throws Exception {
        int layers = 20;
        for (int i = layers - 1; i >= 0; i--) {
            Path image = dir.resolve("k" + i + ".qcow2");
            if (i == layers - 1) {
                Qemu.createQcow2(image, layers * 2 + "M", "cluster_size=2M");
            } else {
                Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=2M", "-b",
                        "k" + (i + 1) + ".qcow2", "-F", "qcow2", image.toString(), layers * 2 + "M");
            }
            Qemu.io(image, "qcow2", "write -c -P " + (i + 1) + " " + i * 2 + "M 2M");
        }
        Run convert = LauncherIT.run(dir, TINY_HEAP, LauncherIT.LAUNCHER.toString(), "convert", "k0.qcow2",
                "ours.raw");
        assertThat(convert.exit()).as(convert.err()).isZero();
        byte[] ours = Files.readAllBytes(dir.resolve("ours.raw"));
        assertThat(ours).isEqualTo(Files.readAllBytes(Qemu.toRaw(dir.resolve("k0.qcow2"), dir.resolve("qemu.raw"))));
        assertThat(ours[(layers - 1) * (2 << 20)]).isEqualTo((byte) layers);
    }
}
