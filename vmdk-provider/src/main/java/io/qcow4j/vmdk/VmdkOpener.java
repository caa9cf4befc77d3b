package io.qcow4j.vmdk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import io.qcow4j.CorruptImageException;
import io.qcow4j.FileReference;
import io.qcow4j.Image;
import io.qcow4j.ImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.spi.BackingFile;
import io.qcow4j.spi.FileNames;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.OpenContext;

/**
 * Opens a VMDK as QEMU does: a sparse file is its own single extent and carries its descriptor inside; any other
 * file is a descriptor whose extent lines name the files that hold the disk; a descriptor's
 * {@code parentFileNameHint} names the parent of a delta disk.
 */
final class VmdkOpener {

    /** The create types QEMU opens from a descriptor file, and those other writers put there for the same layouts. */
    private static final Set<String> DESCRIPTOR_TYPES = Set.of("monolithicFlat", "vmfs", "vmfsSparse", "seSparse",
            "twoGbMaxExtentSparse", "twoGbMaxExtentFlat", "monolithicSparse", "streamOptimized", "vmfsThin",
            "vmfsPreallocated", "vmfsEagerZeroedThick");
    /** Create types of disks on raw devices, which this reader does not open. */
    private static final Set<String> DEVICE_TYPES = Set.of("fullDevice", "partitionedDevice", "vmfsRaw",
            "vmfsRawDeviceMap", "vmfsPassthroughRawDeviceMap", "vmfsRDM", "vmfsRDMP");

    private VmdkOpener() {
    }

    /** The extents, descriptor and create type that the image's file leads to. */
    private record Layout(List<Extent> extents, Descriptor descriptor, String createType, List<HostFile> files) {
    }

    static Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        HostFile file = HostFile.open(path);
        List<Closeable> opened = new ArrayList<>();
        opened.add(file);
        try {
            Layout layout = layout(path, file, context, opened);
            Descriptor descriptor = layout.descriptor();
            if (descriptor.cid() < 0) {
                throw new CorruptImageException("the descriptor has no CID (content ID) line");
            }
            if (descriptor.parentCid() < 0) {
                throw new CorruptImageException("the descriptor has no parentCID line");
            }
            Parent parent = parent(path, descriptor, options, context);
            opened.add(parent.image());
            return new VmdkImage(path, file, layout.extents(), layout.files(), descriptor, layout.createType(),
                    parent);
        } catch (IOException | RuntimeException | Error e) {
            for (Closeable closeable : opened) {
                closeQuietly(closeable, e);
            }
            throw e;
        }
    }

    private static Layout layout(Path path, HostFile file, OpenContext context, List<Closeable> opened)
            throws IOException {
        if (file.size() < 4) {
            throw new CorruptImageException("the file is too small (" + file.size() + " bytes) to be a VMDK");
        }
        ByteBuffer head = head(file);
        int magic = head.getInt(0);
        if (magic == VmdkProbe.KDMV) {
            SparseHeader header = SparseHeader.read(head);
            if (header.capacity() == 0 && header.descriptorOffset() != 0) {
                // a sparse file that holds only a descriptor naming other extents
                byte[] text = readDescriptor(file, header.descriptorOffset(), Long.MAX_VALUE);
                return fromDescriptorFile(path, file, text, context, opened);
            }
            Resources resources = new Resources(context, path, "the image");
            SparseExtent extent = SparseExtents.hosted(file, header, "", resources);
            if (header.descriptorOffset() == 0) {
                throw new CorruptImageException("the sparse file has no embedded descriptor (descriptorOffset 0): "
                        + "it is an extent of a split disk; open the descriptor file that names it");
            }
            byte[] text = readDescriptor(file, header.descriptorOffset(),
                    descriptorRoom(header.descriptorSectors()));
            Descriptor descriptor = DescriptorParser.parse(text, text.length, false);
            // QEMU names the type by the extent, whatever the embedded descriptor says
            String createType = extent.compressed() ? "streamOptimized" : "monolithicSparse";
            return new Layout(List.of(extent), descriptor, createType, List.of(file));
        }
        if (magic == VmdkProbe.COWD) {
            throw new CorruptImageException("a COWD (vmfsSparse) extent carries no descriptor: open the descriptor "
                    + "file that names it");
        }
        if (file.size() > Limits.DESCRIPTOR_BYTES) {
            byte[] start = readDescriptor(file, 0, Limits.DESCRIPTOR_BYTES);
            if (start.length == Limits.DESCRIPTOR_BYTES) {
                throw new ImageLimitException("the descriptor file is " + file.size() + " bytes of text, more than "
                        + "the " + Limits.DESCRIPTOR_BYTES + " a descriptor may take");
            }
            return fromDescriptorFile(path, file, start, context, opened);
        }
        return fromDescriptorFile(path, file, readDescriptor(file, 0, Limits.DESCRIPTOR_BYTES), context, opened);
    }

    /** The descriptor's room in bytes; the field is unsigned, and a room past the limit is as good as unlimited. */
    private static long descriptorRoom(long sectors) {
        return Long.compareUnsigned(sectors, Limits.DESCRIPTOR_BYTES) > 0 ? Limits.DESCRIPTOR_BYTES : sectors * 512;
    }

    /** The file's first sector, big-endian; what lies past the end of a shorter file reads as zeros, as in QEMU. */
    private static ByteBuffer head(HostFile file) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(512);
        file.readAvailable(head, 0);
        return head.clear().order(ByteOrder.BIG_ENDIAN);
    }

    /**
     * The descriptor text at sector {@code sector}: at most {@code maxBytes} and {@link Limits#DESCRIPTOR_BYTES}, up
     * to the first NUL or the end of the file.
     */
    private static byte[] readDescriptor(HostFile file, long sector, long maxBytes) throws IOException {
        if (sector < 0 || sector > file.size() / 512) {
            throw new CorruptImageException("the descriptor at sector " + Long.toUnsignedString(sector)
                    + " lies past the end of the " + file.size() + "-byte file");
        }
        long at = sector * 512;
        long length = Math.max(0, Math.min(Math.min(maxBytes, Limits.DESCRIPTOR_BYTES), file.size() - at));
        ByteBuffer text = ByteBuffer.allocate((int) length);
        file.readAvailable(text, at);
        byte[] bytes = text.array();
        for (int i = 0; i < text.position(); i++) {
            if (bytes[i] == 0) {
                return Arrays.copyOf(bytes, i);
            }
        }
        return Arrays.copyOf(bytes, text.position());
    }

    private static Layout fromDescriptorFile(Path path, HostFile file, byte[] text, OpenContext context,
                                             List<Closeable> opened) throws IOException {
        Descriptor descriptor = DescriptorParser.parse(text, text.length, true);
        String createType = descriptor.createType();
        if (createType == null) {
            throw new CorruptImageException("invalid VMDK image descriptor: it has no createType");
        }
        if (DEVICE_TYPES.contains(createType)) {
            throw new UnsupportedFeatureException("the descriptor's createType '" + createType + "' is a disk on raw "
                    + "devices, which this reader does not open");
        }
        if (!DESCRIPTOR_TYPES.contains(createType)) {
            throw new UnsupportedFeatureException("unsupported VMDK image type '" + createType + "'");
        }
        if (descriptor.extents().isEmpty()) {
            throw new CorruptImageException("the descriptor lists no extents");
        }
        ExtentFiles files = new ExtentFiles(path, context);
        List<Extent> extents = new ArrayList<>();
        boolean compressed = false;
        long total = 0;
        try {
            for (ExtentLine line : descriptor.extents()) {
                Extent extent = extent(path, line, files, new Resources(context, path, "extent '" + line.name()
                        + "'"));
                compressed |= extent.compressed();
                total += extent.bytes();
                if (total > Limits.DISK_BYTES) {
                    throw new ImageLimitException("the extents add up to more than " + Limits.DISK_BYTES + " bytes, "
                            + "this reader's limit");
                }
                extents.add(extent);
            }
        } finally {
            opened.addAll(files.files());
        }
        List<HostFile> all = new ArrayList<>();
        all.add(file);
        all.addAll(files.files());
        // QEMU calls a disk with a compressed extent streamOptimized, whatever its descriptor says
        return new Layout(extents, descriptor, compressed ? "streamOptimized" : createType, all);
    }

    private static Extent extent(Path path, ExtentLine line, ExtentFiles files, Resources resources)
            throws IOException {
        ExtentType type = line.type();
        if (type == ExtentType.ZERO) {
            return new ZeroExtent(bytes(line));
        }
        HostFile file = files.open(line);
        try {
            if (type.flat()) {
                if (line.flatOffset() > Limits.DISK_BYTES / 512) {
                    throw new ImageLimitException("descriptor line " + line.line() + ": offset " + line.flatOffset()
                            + " lies past any file");
                }
                return new FlatExtent(file, line.flatOffset() * 512, bytes(line), type.name());
            }
            ByteBuffer head = head(file);
            if (type == ExtentType.SESPARSE) {
                return SparseExtents.seSparse(file, head, type.name(), resources);
            }
            int magic = head.getInt(0);
            if (magic == VmdkProbe.COWD) {
                return SparseExtents.cowd(file, head, type.name(), resources);
            }
            if (magic != VmdkProbe.KDMV) {
                throw new CorruptImageException("the " + type + " extent is not a sparse extent: it starts with "
                        + String.format("%08x", magic) + ", not KDMV or COWD");
            }
            SparseHeader header = SparseHeader.read(head);
            if (header.capacity() == 0 && header.descriptorOffset() != 0) {
                throw new CorruptImageException("the sparse extent holds a descriptor, not grains: descriptors do not "
                        + "nest");
            }
            return SparseExtents.hosted(file, header, type.name(), resources);
        } catch (ImageException e) {
            throw rename(e, path + ": descriptor line " + line.line() + ": extent " + file.path().getFileName()
                    + ": ");
        }
    }

    private static long bytes(ExtentLine line) throws ImageLimitException {
        if (line.sectors() > Limits.DISK_BYTES / 512) {
            throw new ImageLimitException("descriptor line " + line.line() + ": " + line.sectors() + " sectors, more "
                    + "than this reader's " + Limits.DISK_BYTES / 512);
        }
        return line.sectors() * 512;
    }

    /** An exception of {@code e}'s type whose message starts with {@code prefix}. */
    private static ImageException rename(ImageException e, String prefix) {
        String message = prefix + e.getMessage();
        if (e instanceof CorruptImageException) {
            return new CorruptImageException(message, e);
        }
        if (e instanceof ImageLimitException) {
            return new ImageLimitException(message, e);
        }
        if (e instanceof UnsupportedFeatureException) {
            return new UnsupportedFeatureException(message, e);
        }
        return e;
    }

    /** The parent of a delta disk: opened, or only shown to the policy. */
    record Parent(Image image, Path path, String problem) {
        static final Parent NONE = new Parent(null, null, null);
    }

    private static Parent parent(Path path, Descriptor descriptor, OpenOptions options, OpenContext context)
            throws IOException {
        String hint = descriptor.parentFileNameHint();
        if (hint == null) {
            return Parent.NONE;
        }
        FileReference reference = parentReference(path, descriptor, context);
        // any format the providers read: QEMU insists on a VMDK, and so does the CID check below, when it is read
        BackingFile backing = context.backing(reference, null);
        Image parent = backing.image();
        if (parent == null) {
            return new Parent(null, backing.path(), null);
        }
        try {
            return new Parent(parent, backing.path(), cidProblem(hint, descriptor.parentCid(), parent));
        } catch (IOException | RuntimeException e) {
            closeQuietly(parent, e);
            throw e;
        }
    }

    /**
     * Where the parent hint leads: where QEMU opens it, unless that is no file. Then the hint as the descriptor's
     * encoding reads it, where that differs (see {@link ExtentLine#declaredName}); and a Windows name as Windows
     * reads it. VMware Workstation on Windows names the parent of a linked clone by its absolute path ({@code
     * C:\VMs\base\base.vmdk}), which QEMU takes for the protocol "C:", and a relative name may go through
     * backslashes ({@code ..\base\base.vmdk}). Such a name is read as the other formats written on Windows read
     * theirs ({@link FileNames#windowsNames}): a relative one from the delta's directory, then its file name beside
     * the delta, where the disks of a VM copied off Windows lie together; an absolute one as that file name only. The
     * parentCID check still tells whether the file found is the parent.
     */
    private static FileReference parentReference(Path path, Descriptor descriptor, OpenContext context) {
        String hint = descriptor.parentFileNameHint();
        FileReference reference = context.reference(path, hint, FileReference.Role.BACKING);
        if (ExtentFiles.exists(reference)) {
            return reference;
        }
        if (descriptor.parentDeclaredName() != null) {
            hint = descriptor.parentDeclaredName();
            FileReference declared = context.reference(path, hint, FileReference.Role.BACKING);
            if (ExtentFiles.exists(declared)) {
                return declared;
            }
        }
        boolean driveLetter = hint.length() >= 3 && hint.charAt(1) == ':' && (hint.charAt(2) == '\\'
                || hint.charAt(2) == '/') && Character.isLetter(hint.charAt(0));
        if (!driveLetter && hint.indexOf('\\') < 0) {
            return reference;
        }
        FileReference first = null;
        for (String local : FileNames.windowsNames(hint)) {
            FileReference candidate = context.reference(path, hint, FileReference.Role.BACKING,
                    path.toAbsolutePath().resolveSibling(local).toString());
            if (ExtentFiles.exists(candidate)) {
                return candidate;
            }
            first = first == null ? candidate : first;
        }
        return first == null ? reference : first;
    }

    /**
     * Why QEMU would refuse to read through {@code parent}, or null: its CID must be the one this delta disk was
     * made from, and only a VMDK has one.
     */
    private static String cidProblem(String hint, long parentCid, Image parent) throws IOException {
        if (!VmdkFormatProvider.NAME.equals(parent.format())) {
            return String.format("its parent '%s' is a %s image, not a VMDK: it has no CID to match the delta's "
                    + "parentCID %08x, and QEMU reads through no parent without one", hint, parent.format(), parentCid);
        }
        Object cid = parent.info().formatSpecific().get("cid");
        if (!(cid instanceof Number number)) {
            return "its parent '" + hint + "' shows no CID";
        }
        if (number.longValue() != parentCid) {
            return String.format("its parent '%s' has CID %08x, but the delta disk was made over CID %08x "
                    + "(parentCID): the parent changed since, and QEMU refuses to read through it", hint,
                    number.longValue(), parentCid);
        }
        return null;
    }

    private static void closeQuietly(Closeable closeable, Throwable failure) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Charges an extent's tables to the chain, and hands it what the chain's images share. */
    private static final class Resources implements SparseExtents.Resources {
        private final OpenContext context;
        private final Path image;
        private final String extent;

        Resources(OpenContext context, Path image, String extent) {
            this.context = context;
            this.image = image;
            this.extent = extent;
        }

        @Override
        public void charge(String what, long bytes) throws ImageException {
            context.charge(image, what + " of " + extent, bytes);
        }

        @Override
        public GrainBuffers buffers() {
            return context.shared(GrainBuffers.class, GrainBuffers::new);
        }

        @Override
        public GrainTableCache tables(int entries) throws ImageException {
            GrainTableCache cache = context.shared(GrainTableCache.class, GrainTableCache::new);
            context.charge(image, "share of the chain's grain table cache", cache.reserve((long) entries
                    * Long.BYTES));
            return cache;
        }
    }
}
