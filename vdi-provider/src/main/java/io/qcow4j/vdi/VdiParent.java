package io.qcow4j.vdi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.qcow4j.BackingChainException;
import io.qcow4j.FileReference;
import io.qcow4j.Image;
import io.qcow4j.ImageException;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.vhd.shared.ParentFile;

/**
 * The parent of a differencing VDI, which names it by UUID alone (VirtualBox keeps the file names in its media
 * registry): the file the host names with {@link VdiOptions#PARENT}, or the VDI beside the image whose UUID it is (or,
 * for an image in a machine's Snapshots folder, in the machine's folder above it, where VirtualBox puts the disk).
 * Every candidate is read through the context, so the host's policy sees each one.
 *
 * @param reference the parent's file, or null where the options do not follow backing files
 * @param image     the parent, or null likewise
 */
record VdiParent(FileReference reference, Image image) {

    /** A directory of more files than this is not searched further. */
    private static final int MAX_CANDIDATES = 10_000;

    static VdiParent open(Path path, VdiHeader header, OpenOptions options, OpenContext context)
            throws IOException {
        String given = options.get(VdiOptions.PARENT);
        // the options reach every image of the chain: the name is the first VDI's parent, a snapshot's own parent is
        // found by its UUID
        if (!given.isEmpty() && context.shared(NameTaken.class, NameTaken::new).take()) {
            ParentFile named = ParentFile.open(path, List.of(given), null,
                    (candidate, opening) -> anotherVdi(candidate, opening, header.uuidLinkage()), options, context);
            return new VdiParent(named.reference(), named.image());
        }
        if (!options.followBacking()) {
            return new VdiParent(null, null);
        }
        FileReference found = search(path, header.uuidLinkage(), context);
        return new VdiParent(found, context.backing(found, VdiFormatProvider.NAME).image());
    }

    /**
     * Why a named parent is not the one the image was made from, or null: a VDI must carry its parent UUID, as
     * VirtualBox checks (another disk's blocks would be read under a child that never saw them); a parent of another
     * format (a converted copy) has no UUID to check.
     */
    private static String anotherVdi(FileReference candidate, OpenContext context, byte[] uuid) throws IOException {
        byte[] found;
        try (HostFile file = context.openFile(candidate)) {
            found = uuidOf(file);
        } catch (UnsafeImageException e) {
            throw e;
        } catch (ImageException e) {
            return null;
        }
        return Arrays.equals(found, uuid) ? null : "its UUID " + VdiHeader.uuidText(found) + " is not the parent UUID "
                + VdiHeader.uuidText(uuid);
    }

    /** Whether a VDI of the chain has taken the parent the host names. */
    private static final class NameTaken {
        private boolean taken;

        /** True for the first caller only. */
        boolean take() {
            boolean first = !taken;
            taken = true;
            return first;
        }
    }

    private static FileReference search(Path path, byte[] uuid, OpenContext context) throws IOException {
        Path directory = path.toAbsolutePath().getParent();
        List<String> names = vdiNames(directory, "");
        names.remove(path.getFileName().toString());
        // VirtualBox keeps a machine's differencing images in its Snapshots folder, the disk they start from in the
        // machine's folder above it
        Path above = directory.getParent();
        boolean inSnapshots = above != null && directory.getFileName().toString().equalsIgnoreCase("Snapshots");
        if (inSnapshots) {
            names.addAll(vdiNames(above, "../"));
        }
        UnsafeImageException refused = null;
        for (String name : names) {
            FileReference candidate = context.reference(path, name, FileReference.Role.BACKING);
            try (HostFile file = context.openFile(candidate)) {
                if (Arrays.equals(uuidOf(file), uuid)) {
                    return candidate;
                }
            } catch (UnsafeImageException e) {
                refused = refused == null ? e : refused;
            } catch (ImageException e) {
                // not a VDI, or not a readable one: not the parent
            }
        }
        if (refused != null) {
            throw refused;
        }
        throw new BackingChainException(path + ": differencing VDI whose parent, UUID "
                + VdiHeader.uuidText(uuid) + ", is not among the VDI files beside it"
                + (inSnapshots ? " or in the folder above its Snapshots folder" : "")
                + " (name it with the vdi parent option)");
    }

    /** The names of the VDI files in {@code directory}, sorted, each after {@code prefix}. */
    private static List<String> vdiNames(Path directory, String prefix) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, VdiParent::isVdiName)) {
            for (Path file : files) {
                if (names.size() == MAX_CANDIDATES) {
                    break;
                }
                names.add(file.getFileName().toString());
            }
        }
        names.sort(null);
        names.replaceAll(name -> prefix + name);
        return names;
    }

    private static boolean isVdiName(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".vdi");
    }

    private static byte[] uuidOf(HostFile file) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(VdiHeader.READ_LENGTH, file.size()));
        file.readFully(bytes, 0, "VDI header");
        return VdiHeader.parse(bytes.flip()).uuidCreate();
    }
}
