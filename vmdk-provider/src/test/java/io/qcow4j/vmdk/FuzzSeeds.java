package io.qcow4j.vmdk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Writes the seed corpus of {@link VmdkFuzzTest} and {@link VmdkPatchFuzzTest}: one small file per layout (grains
 * of one to eight sectors, so that each file is a few KiB), as {@link Fixtures} builds them. Findings the fuzzer
 * saved in the same directory (crash-*, timeout-*) stay. To remake them, from the repository's root:
 * <pre>
 * java -cp vmdk-provider/target/test-classes:vmdk-provider/target/classes:spi/target/classes \
 *     io.qcow4j.vmdk.FuzzSeeds vmdk-provider/src/test/resources/io/qcow4j/vmdk
 * </pre>
 */
public final class FuzzSeeds {

    /** The seeds that are extents behind a descriptor, which the patch fuzzer names in one. */
    static final String COWD = "extent-cowd.bin";
    static final String SESPARSE = "extent-sesparse.bin";
    static final String HOSTED = "extent-hosted.bin";

    private FuzzSeeds() {
    }

    public static void main(String[] args) throws Exception {
        Path resources = Path.of(args[0]);
        Path whole = Files.createDirectories(resources.resolve("VmdkFuzzTestInputs/openAndRead"));
        byte[] disk = Fixtures.content(8 * 1024, 512, 51);
        disk[0] = 7;
        disk[disk.length - 1] = 9;
        String descriptor = Fixtures.descriptor(0x1234abcdL, 0xffffffffL, "monolithicSparse", null,
                "RW 16 SPARSE \"input.vmdk\"");

        Fixtures.Hosted v1 = new Fixtures.Hosted();
        v1.grainSectors = 1;
        v1.tableEntries = 16;
        v1.descriptorRoom = 1;
        v1.descriptor = descriptor;
        Files.write(whole.resolve("sparse-v1.vmdk"), v1.build(disk));

        Fixtures.Hosted v2 = new Fixtures.Hosted();
        v2.version = 2;
        v2.grainSectors = 2;
        v2.tableEntries = 8;
        v2.zeroedGrains = true;
        v2.zeroed = Set.of(1L, 5L);
        v2.redundant = false;
        v2.descriptorRoom = 1;
        v2.descriptor = descriptor;
        Files.write(whole.resolve("sparse-v2-zeroed.vmdk"), v2.build(disk));

        Fixtures.Hosted v3 = new Fixtures.Hosted();
        v3.version = 3;
        v3.grainSectors = 4;
        v3.tableEntries = 4;
        v3.order = new long[] {3, 0, 2, 1};
        v3.descriptorRoom = 1;
        v3.descriptor = descriptor;
        Files.write(whole.resolve("sparse-v3-shuffled.vmdk"), v3.build(disk));

        String streamDescriptor = Fixtures.descriptor(0x1234abcdL, 0xffffffffL, "streamOptimized", null,
                "RW 16 SPARSE \"input.vmdk\"");
        Fixtures.Stream stream = new Fixtures.Stream();
        stream.grainSectors = 8;
        stream.alignedOverhead = false;
        stream.descriptor = streamDescriptor;
        Files.write(whole.resolve("stream-footer.vmdk"), stream.build(disk));
        Fixtures.Stream shuffled = new Fixtures.Stream();
        shuffled.grainSectors = 8;
        shuffled.alignedOverhead = false;
        shuffled.order = new long[] {1, 0};
        shuffled.descriptor = streamDescriptor;
        Files.write(whole.resolve("stream-shuffled.vmdk"), shuffled.build(disk));
        Fixtures.Stream cut = new Fixtures.Stream();
        cut.grainSectors = 8;
        cut.alignedOverhead = false;
        cut.noFooter = true;
        cut.descriptor = streamDescriptor;
        Files.write(whole.resolve("stream-no-footer.vmdk"), cut.build(disk));

        // a descriptor in a sparse file, and a plain one, reading the file itself through FLAT and ZERO extents
        String self = Fixtures.descriptor(0x1234abcdL, 0xffffffffL, "monolithicFlat", null,
                "RW 1 FLAT \"input.vmdk\" 1", "RW 8 ZERO", "RW 1 FLAT \"input.vmdk\" 0");
        Fixtures.Hosted holder = new Fixtures.Hosted();
        holder.descriptorOnly = true;
        holder.grainSectors = 1;
        holder.descriptorRoom = 1;
        holder.descriptor = self;
        Files.write(whole.resolve("descriptor-in-sparse.vmdk"), holder.build(new byte[0]));
        Files.writeString(whole.resolve("descriptor.vmdk"), self.replace("\n", "\r\n"));

        Set<Long> allocated = Set.of(0L, 3L, 4L, 9L, 15L);
        Files.write(resources.resolve(COWD), new Fixtures.Cowd().build(disk, allocated));
        Fixtures.SeGrain[] kinds = {Fixtures.SeGrain.ALLOCATED, Fixtures.SeGrain.ZERO};
        Files.write(resources.resolve(SESPARSE), new Fixtures.SeSparse().build(disk, kinds, 1));
        Fixtures.Hosted extent = new Fixtures.Hosted();
        extent.grainSectors = 1;
        extent.tableEntries = 8;
        Files.write(resources.resolve(HOSTED), extent.build(disk));
    }
}
