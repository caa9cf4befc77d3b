package io.qcow4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.qcow4j.testing.Qemu;

/** Small images made with qemu-img and qemu-io, covering what info and map print differently. */
final class QemuImages {

    private QemuImages() {
    }

    /**
     * For a {@code @BeforeAll}: the images of {@link #make}, or null where qemu-img is missing outside CI (the tests
     * that use them skip then, through {@link Qemu#require}; in CI a missing qemu-img fails here).
     */
    static List<Path> makeIfQemu(Path dir) throws Exception {
        if (Qemu.checksWith("qemu-img")) {
            Qemu.require("qemu-img");
            return make(dir);
        }
        return null;
    }

    /** The images and the repository's sample image after them. */
    static List<Path> withSample(List<Path> images) {
        List<Path> all = new ArrayList<>(images);
        all.add(Cli.SAMPLE);
        return all;
    }

    /**
     * @return the images: a raw base, a qcow2 on it from a sub directory, a v2 image, extended L2 with 8-bit
     *         refcounts, snapshots, a zstd-compressed image, a sparse raw file, persistent bitmaps, an empty disk,
     *         metadata preallocation, 2 MiB clusters written in part, backing files named with QEMU's
     *         {@code file:} prefix and with its {@code json:} options
     */
    static List<Path> make(Path dir) throws Exception {
        Path raw = dir.resolve("base.raw");
        Files.write(raw, new byte[0]);
        Qemu.run("truncate", "-s", "2M", raw.toString());
        Qemu.io(raw, "raw", "write -P 0x11 0 256k", "write -P 0x22 1M 64k");

        Path sub = Files.createDirectories(dir.resolve("sub"));
        Path overlay = sub.resolve("overlay.qcow2");
        Qemu.createQcow2(overlay, "3M", "backing_file=../base.raw", "backing_fmt=raw");
        Qemu.io(overlay, "qcow2", "write -P 0x33 128k 64k", "write -z 1M 64k", "discard 1536k 64k",
                "write -P 0x44 2560k 100k");

        Path v2 = Qemu.createQcow2(dir.resolve("v2.qcow2"), "1M", "compat=0.10", "cluster_size=4k");
        Qemu.io(v2, "qcow2", "write -P 0x55 4k 8k");

        Path extended = Qemu.createQcow2(dir.resolve("extended.qcow2"), "4M", "extended_l2=on",
                "cluster_size=128k", "lazy_refcounts=on", "refcount_bits=8");
        Qemu.io(extended, "qcow2", "write -P 0x66 4k 4k", "write -z 1M 64k");

        Path snapshots = Qemu.createQcow2(dir.resolve("snapshots.qcow2"), "1M");
        Qemu.io(snapshots, "qcow2", "write -P 0x77 0 64k");
        Qemu.run("qemu-img", "snapshot", "-c", "first", snapshots.toString());
        Qemu.io(snapshots, "qcow2", "write -P 0x78 0 64k");
        Qemu.run("qemu-img", "snapshot", "-c", "second", snapshots.toString());
        // a name of more bytes than characters: qemu-img pads the table's columns by bytes
        Qemu.run("qemu-img", "snapshot", "-c", "dritt\u00e9", snapshots.toString());

        Path zstd = Qemu.toQcow2(overlay, dir.resolve("zstd.qcow2"), List.of("-c", "-o", "compression_type=zstd"));

        Path sparse = dir.resolve("sparse.img");
        Files.write(sparse, new byte[0]);
        Qemu.run("truncate", "-s", "1M", sparse.toString());
        Qemu.io(sparse, "raw", "write -P 0x99 512k 64k");

        // persistent bitmaps, one with no flags: qemu-img prints them between lazy-refcounts and refcount-bits
        Path bitmaps = Qemu.createQcow2(dir.resolve("bitmaps.qcow2"), "1M");
        Qemu.io(bitmaps, "qcow2", "write -P 0x5a 0 64k");
        Qemu.run("qemu-img", "bitmap", "--add", bitmaps.toString(), "b1");
        Qemu.run("qemu-img", "bitmap", "--add", "--disable", "-g", "128k", bitmaps.toString(), "b2");

        // a disk of no bytes: map still prints one entry
        Path empty = Qemu.createQcow2(dir.resolve("empty.qcow2"), "0");

        // data clusters in holes of the file: qemu-img map then asks the file (QEMU's metadata preallocation guess)
        Path preallocated = Qemu.createQcow2(dir.resolve("preallocated.qcow2"), "16M", "preallocation=metadata");
        Qemu.io(preallocated, "qcow2", "write -P 0x5b 1M 4k");
        Path bigClusters = Qemu.createQcow2(dir.resolve("big-clusters.qcow2"), "8M", "cluster_size=2M");
        Qemu.io(bigClusters, "qcow2", "write -P 0x5c 1M 300k", "write -P 0x5d 5M 4k");

        // a backing name with QEMU's file: prefix (absolute: qemu-img opens a relative one from its working
        // directory): qemu-img names the backing image without the prefix
        Path prefixed = Qemu.createQcow2(dir.resolve("prefixed.qcow2"), "2M", "backing_file=file:" + raw,
                "backing_fmt=raw");
        Qemu.io(prefixed, "qcow2", "write -P 0x5e 64k 64k");

        // a backing file named through QEMU's json: options: qemu-img names the backing image by its file
        Path json = Qemu.createQcow2(dir.resolve("json.qcow2"), "2M", "backing_file=json:{\"driver\": \"raw\",,"
                + " \"file\": {\"driver\": \"file\",, \"filename\": \"" + raw + "\"}}", "backing_fmt=raw");
        Qemu.io(json, "qcow2", "write -P 0x5f 128k 64k");

        return List.of(raw, overlay, v2, extended, snapshots, zstd, sparse, bitmaps, empty, preallocated,
                bigClusters, prefixed, json);
    }
}
