package io.qcow4j.parallels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.qcow4j.CorruptImageException;
import io.qcow4j.FileReference;
import io.qcow4j.Image;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.spi.Closeables;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.vhd.shared.Extent;
import io.qcow4j.vhd.shared.MappedImage;
import io.qcow4j.vhd.shared.Storage;

/**
 * Opens what a bundle's {@code DiskDescriptor.xml} describes: for each storage, its images from the root snapshot to
 * the top one, each over its parent, every file named through the open context (so the host's policy decides), and
 * several storages joined into one disk.
 */
final class BundleOpener {

    private BundleOpener() {
    }

    static Image open(Path descriptorPath, DiskDescriptor descriptor, OpenContext context) throws IOException {
        List<String> chain = chain(descriptor);
        List<SplitDisk.Part> parts = new ArrayList<>();
        try {
            for (DiskDescriptor.Storage storage : descriptor.storages()) {
                parts.add(new SplitDisk.Part(storage.start() * 512,
                        storageImage(descriptorPath, storage, chain, context)));
            }
        } catch (IOException | RuntimeException | Error e) {
            Closeables.closeQuietly(e, parts.stream().map(SplitDisk.Part::image).toArray(Image[]::new));
            throw e;
        }
        return parts.size() == 1 ? parts.get(0).image() : new SplitDisk(parts, descriptor.sectors() * 512);
    }

    /** The snapshots' GUIDs from the root to the top. */
    private static List<String> chain(DiskDescriptor descriptor) throws CorruptImageException {
        List<String> chain = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String guid = descriptor.topGuid(); !guid.equals(DiskDescriptor.NO_PARENT);
                guid = descriptor.parents().get(guid)) {
            if (!descriptor.parents().containsKey(guid)) {
                throw new CorruptImageException("DiskDescriptor.xml: snapshot " + guid + " has no <Shot>");
            }
            if (!seen.add(guid)) {
                throw new CorruptImageException("DiskDescriptor.xml: the snapshots' parents loop at " + guid);
            }
            chain.add(0, guid);
        }
        if (chain.isEmpty()) {
            throw new CorruptImageException("DiskDescriptor.xml: the top snapshot is the null GUID");
        }
        return chain;
    }

    private static Image storageImage(Path descriptorPath, DiskDescriptor.Storage storage, List<String> chain,
                                      OpenContext context) throws IOException {
        long size = (storage.end() - storage.start()) * 512;
        MappedImage image = null;
        try {
            for (String guid : chain) {
                DiskDescriptor.ImageFile named = storage.images().get(guid);
                if (named == null) {
                    throw new CorruptImageException("DiskDescriptor.xml: the storage from sector " + storage.start()
                            + " has no <Image> for snapshot " + guid);
                }
                HostFile file = open(descriptorPath, named.file(), context);
                try {
                    image = named.plain() ? plain(file, size, image) : ParallelsOpener.expanding(file, size, image,
                            context);
                } catch (IOException | RuntimeException | Error e) {
                    Closeables.closeQuietly(e, file);
                    throw e;
                }
            }
            return image;
        } catch (IOException | RuntimeException | Error e) {
            Closeables.closeQuietly(e, image);
            throw e;
        }
    }

    /** A raw file holding the storage's every byte; a parent it would hide is closed with it. */
    private static MappedImage plain(HostFile file, long size, Image below) {
        return new MappedImage("raw", Storage.of(file), size, (offset, maxLength) -> Extent.data(maxLength, offset),
                null, () -> ParallelsOpener.info("raw", file.path(), size, null), () -> Closeables.closeAll(below,
                file));
    }

    private static HostFile open(Path descriptorPath, String name, OpenContext context) throws IOException {
        FileReference reference = context.reference(descriptorPath, name, FileReference.Role.EXTENT);
        HostFile file = context.openFile(reference);
        if (!Files.isRegularFile(file.path())) {
            // the context refuses character devices and FIFOs; a descriptor from a stranger naming /dev/sda must not
            // read the host's disk either
            file.close();
            throw new UnsafeImageException("DiskDescriptor.xml names " + file.path()
                    + ", which is not a regular file");
        }
        return file;
    }
}
