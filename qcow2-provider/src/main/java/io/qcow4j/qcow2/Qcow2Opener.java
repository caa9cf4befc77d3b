package io.qcow4j.qcow2;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Supplier;

import io.qcow4j.internal.FileNames;
import io.qcow4j.internal.HostFile;
import io.qcow4j.spi.BackingChainException;
import io.qcow4j.spi.CorruptImageException;
import io.qcow4j.spi.Image;
import io.qcow4j.spi.ImageException;
import io.qcow4j.spi.ImageLimitException;
import io.qcow4j.spi.Images;
import io.qcow4j.spi.NoSuchSnapshotException;
import io.qcow4j.spi.OpenOptions;
import io.qcow4j.spi.UnsafeImageException;
import io.qcow4j.spi.UnsupportedFeatureException;

/** Opens a qcow2 image: header, extensions, snapshot table, L1 table, data file and backing chain. */
final class Qcow2Opener {

    /** How deep a backing chain may go; QEMU has no fixed limit, but a deeper chain is an attack, not a disk. */
    static final int MAX_BACKING_DEPTH = 256;

    private static final System.Logger LOG = System.getLogger("io.qcow4j.qcow2");

    /**
     * The chain this thread is opening: backing files are opened recursively on one thread, through
     * {@link Images#open}, and share what the outermost open made for the chain.
     *
     * @param opening the images being opened, innermost first
     */
    private record Chain(Deque<Path> opening, ChainBudget budget, ScratchBuffers buffers) {
    }

    private static final ThreadLocal<Chain> OPENING = new ThreadLocal<>();

    private Qcow2Opener() {
    }

    static Image open(Path path, OpenOptions options) throws IOException {
        Chain chain = OPENING.get();
        if (chain == null) {
            chain = new Chain(new ArrayDeque<>(), ChainBudget.ofHeap(), new ScratchBuffers());
            OPENING.set(chain);
        }
        Deque<Path> opening = chain.opening();
        Path real = path.toRealPath();
        if (opening.contains(real)) {
            throw new BackingChainException("backing chain loops: " + chain(opening) + " -> " + path);
        }
        if (opening.size() >= MAX_BACKING_DEPTH) {
            throw new ImageLimitException("backing chain deeper than " + MAX_BACKING_DEPTH + " images at " + path);
        }
        opening.push(real);
        try {
            return openImage(path, options, chain);
        } catch (ImageException e) {
            throw NamedErrors.naming(path, e);
        } finally {
            opening.pop();
            if (opening.isEmpty()) {
                OPENING.remove();
            }
        }
    }

    private static Image openImage(Path path, OpenOptions options, Chain chain) throws IOException {
        HostFile file = HostFile.open(path);
        HostFile dataFile = null;
        Image backing = null;
        try {
            HeaderArea area = readHeaderArea(file);
            Qcow2Header header = area.header();
            HeaderExtensions extensions = area.extensions();
            String backingName = area.backingName();
            refuseUnknownFeatures(header, extensions);
            warnAboutFlags(path, header);
            Geometry geometry = Geometry.of(header);

            if (backingName != null) {
                refuseInSafeMode(path, backingName, options);
            }
            // null for a name this JVM cannot open: the image still opens without its backing file (for info)
            Path backingPath = backingName != null ? backingPath(path, backingName) : null;
            List<SnapshotTable.Snapshot> snapshots = SnapshotTable.read(file, header, chain.budget(), path);
            List<BitmapDirectory.Bitmap> bitmaps = BitmapDirectory.read(file, extensions.bitmaps(), header);
            Qcow2Metadata metadata = new Qcow2Metadata(path, header, extensions, geometry, snapshots, bitmaps,
                    backingName, backingPath, extensions.backingFormat());

            long l1Offset = header.l1TableOffset();
            int l1Size = header.l1Size();
            if (options.snapshot() != null) {
                SnapshotTable.Snapshot snapshot = findSnapshot(path, snapshots, options.snapshot());
                SnapshotTable.checkL1(snapshot, header, file.size());
                // at the image's current size, as qemu-img convert -l reads it: past the snapshot's L1 table
                // (an image grown since) the clusters are unallocated, and read from the backing file or as zeros
                l1Offset = snapshot.l1TableOffset();
                l1Size = snapshot.l1Size();
            }
            // the entries past the disk's end are never looked up: QEMU reads them, we need not hold them
            int l1Kept = (int) Math.min(Integer.toUnsignedLong(l1Size),
                    HeaderParser.l1EntriesNeeded(header.virtualSize(), header.clusterBits(), header.extendedL2()));
            chain.budget().charge(l1Kept * 8L, path, "L1 table");
            long[] l1 = readL1(file, l1Offset, l1Kept);

            dataFile = openDataFile(path, header, extensions, options, file);
            if (backingName != null && options.followBacking()) {
                backing = openBacking(path, backingName, backingPath, extensions.backingFormat(), options);
            }
            L2Cache cache = new L2Cache(file, geometry, l1, options.l2CacheBytes());
            ClusterMap map = new ClusterMap(geometry, cache);
            CompressedClusters compressed = new CompressedClusters(file, geometry,
                    decompressors(header.compressionType()), chain.buffers());
            return new Qcow2Image(metadata, file, dataFile, map, compressed, backing, header.virtualSize());
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(backing, e);
            if (dataFile != file) {
                closeQuietly(dataFile, e);
            }
            closeQuietly(file, e);
            throw e;
        }
    }

    /** What cluster 0 holds: the header, its extensions, and the backing file name (null for none). */
    private record HeaderArea(Qcow2Header header, HeaderExtensions extensions, String backingName) {
    }

    /**
     * Reads cluster 0 and keeps what it holds, not the cluster: up to 2 MiB per image, which a chain of images
     * opened one inside the other would otherwise hold all at once.
     */
    private static HeaderArea readHeaderArea(HostFile file) throws IOException {
        ByteBuffer start = ByteBuffer.allocate(Qcow2Header.V3_MIN_LENGTH + 8);
        file.readAvailable(start, 0);
        Qcow2Header header = HeaderParser.parse(start, file.size());
        ByteBuffer cluster0 = ByteBuffer.allocate(header.clusterSize());
        file.readAvailable(cluster0, 0);
        HeaderExtensions extensions = HeaderExtensions.parse(cluster0, header);
        String backingName = header.backingFileOffset() != 0
                ? HeaderExtensions.fileName(cluster0, (int) header.backingFileOffset(), header.backingFileSize())
                : null;
        if (backingName != null && backingName.isEmpty()) {
            backingName = null; // QEMU reads an empty name (size 0, or a NUL first) as no backing file
        }
        return new HeaderArea(header, extensions, backingName);
    }

    static Supplier<ClusterDecompressor> decompressors(CompressionType type) {
        return type == CompressionType.ZSTD ? ZstdDecompressor::new : DeflateBackend.decompressors();
    }

    private static void refuseUnknownFeatures(Qcow2Header header, HeaderExtensions extensions)
            throws ImageException {
        long unknown = header.incompatibleFeatures() & ~Qcow2Header.INCOMPAT_KNOWN;
        if (unknown != 0) {
            // named bits by their names; the unnamed ones grouped, so that a header full of them stays one short line
            StringJoiner features = new StringJoiner(", ");
            StringJoiner unnamed = new StringJoiner(", ");
            int unnamedCount = 0;
            for (int bit = 0; bit < 64; bit++) {
                if ((unknown & (1L << bit)) != 0) {
                    Optional<String> name = extensions.incompatibleFeatureName(bit);
                    if (name.isPresent()) {
                        features.add(name.get());
                    } else {
                        unnamed.add(Integer.toString(bit));
                        unnamedCount++;
                    }
                }
            }
            if (unnamedCount > 0) {
                features.add("unknown incompatible feature " + (unnamedCount == 1 ? "bit " : "bits ") + unnamed);
            }
            throw new UnsupportedFeatureException(String.format("Unsupported qcow2 feature(s): %s "
                    + "(incompatible_features %#x)", features, header.incompatibleFeatures()));
        }
        if (extensions.hasEncryptionHeader()) {
            // encrypted images were refused with the header; QEMU refuses this one too
            throw new CorruptImageException("the image has an encryption header extension but is not encrypted "
                    + "(crypt_method 0)");
        }
        if (header.hasDataFile() && extensions.dataFile() == null) {
            throw new CorruptImageException("the image needs an external data file (incompatible feature bit 2) "
                    + "but has no data file name extension");
        }
        if (header.dataFileRaw() && !header.hasDataFile()) {
            throw new CorruptImageException("the data-file-raw autoclear bit is set on an image without an external "
                    + "data file");
        }
    }

    private static void warnAboutFlags(Path path, Qcow2Header header) {
        if (header.corrupt()) {
            LOG.log(Level.WARNING, "{0}: the image is marked corrupt; reading it read-only", path);
        } else if (header.dirty()) {
            LOG.log(Level.WARNING, "{0}: the image is dirty (not closed cleanly); refcounts may be stale, "
                    + "reading it read-only", path);
        }
    }

    /**
     * The snapshot {@code -l} names, in either of qemu-img's forms: an ID or a name (an ID first, as QEMU tries
     * them), or options {@code snapshot.id=ID}, {@code snapshot.name=NAME}, or both joined by a comma, which must
     * all match the same snapshot.
     */
    private static SnapshotTable.Snapshot findSnapshot(Path path, List<SnapshotTable.Snapshot> snapshots,
                                                       String idOrName) throws NoSuchSnapshotException {
        if (idOrName.startsWith("snapshot.id=") || idOrName.startsWith("snapshot.name=")) {
            String id = null;
            String name = null;
            for (String option : idOrName.split(",")) {
                if (option.startsWith("snapshot.id=")) {
                    id = option.substring("snapshot.id=".length());
                } else if (option.startsWith("snapshot.name=")) {
                    name = option.substring("snapshot.name=".length());
                } else {
                    throw new NoSuchSnapshotException(path + ": unknown snapshot option '" + option
                            + "' (snapshot.id=ID and snapshot.name=NAME are known)");
                }
            }
            for (SnapshotTable.Snapshot s : snapshots) {
                if ((id == null || s.info().id().equals(id)) && (name == null || s.info().name().equals(name))) {
                    return s;
                }
            }
        } else {
            for (SnapshotTable.Snapshot s : snapshots) {
                if (s.info().id().equals(idOrName)) {
                    return s;
                }
            }
            for (SnapshotTable.Snapshot s : snapshots) {
                if (s.info().name().equals(idOrName)) {
                    return s;
                }
            }
        }
        throw new NoSuchSnapshotException(path + ": no snapshot with id or name '" + idOrName + "' ("
                + snapshots.size() + (snapshots.size() == 1 ? " snapshot)" : " snapshots)"));
    }

    private static long[] readL1(HostFile file, long offset, int entries) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(entries * 8);
        file.readFully(raw, offset, "L1 table");
        raw.flip();
        long[] l1 = new long[entries];
        raw.asLongBuffer().get(l1);
        return l1;
    }

    private static HostFile openDataFile(Path path, Qcow2Header header, HeaderExtensions extensions,
                                         OpenOptions options, HostFile file) throws IOException {
        if (!header.hasDataFile()) {
            return file;
        }
        String dataName = extensions.dataFile();
        if (options.safe()) {
            throw new UnsafeImageException(path + ": the image keeps its data in the external file '" + dataName
                    + "'; safe mode opens no file but the image");
        }
        if (dataName.isEmpty()) {
            throw new CorruptImageException(path + ": the image needs an external data file but its name is empty");
        }
        refuseOtherProtocols(path, "external data file", dataName);
        String local = withoutFileProtocol(dataName);
        if (JsonFileName.is(dataName)) {
            JsonFileName.Target target = JsonFileName.parse(path + ": the external data file", dataName);
            if (target.format() != null && !target.format().equals("raw")) {
                throw new BackingChainException(path + ": the external data file '" + dataName + "' names the "
                        + target.format() + " driver; a data file holds raw clusters");
            }
            local = target.filename();
        }
        Path dataPath = fromCurrentDirectory(path, local);
        if (dataPath == null) {
            throw new BackingChainException(path + ": cannot open the external data file '" + dataName + "': "
                    + FileNames.whyUnnamable());
        }
        try {
            return HostFile.open(dataPath);
        } catch (NoSuchFileException e) {
            throw new BackingChainException(path + ": external data file " + dataPath + " does not exist", e);
        } catch (FileSystemException e) {
            throw new BackingChainException(path + ": cannot open external data file " + dataPath + ": "
                    + e.getReason(), e);
        }
    }

    /** Safe mode refuses an image that names a backing file, even where the caller would not open it. */
    private static void refuseInSafeMode(Path path, String backingName, OpenOptions options)
            throws UnsafeImageException {
        if (options.safe()) {
            throw new UnsafeImageException(path + ": the image has the backing file '" + backingName
                    + "'; safe mode opens no file but the image");
        }
    }

    private static Image openBacking(Path path, String name, Path backingPath, String format, OpenOptions options)
            throws IOException {
        refuseOtherProtocols(path, "backing file", name);
        String named = format;
        if (JsonFileName.is(name)) {
            // as in QEMU, the format in the header comes first, the one in the options after it
            String optionsFormat = JsonFileName.parse(path + ": the backing file", name).format();
            named = format == null || format.isEmpty() ? optionsFormat : format;
        }
        if (backingPath == null) {
            throw new BackingChainException(path + ": cannot open the backing file '" + name + "': "
                    + FileNames.whyUnnamable());
        }
        // A declared format is used as is: a raw backing file is never probed, whatever its first bytes say. As in
        // QEMU, an empty one is no declaration, and "file" (its protocol driver) reads the file as it is.
        String declared = named == null || named.isEmpty() ? null : named.equals("file") ? "raw" : named;
        OpenOptions backingOptions = options.withSnapshot(null).withFormat(declared);
        try {
            return Images.open(backingPath, backingOptions);
        } catch (NoSuchFileException e) {
            throw new BackingChainException(path + ": backing file " + backingPath + " does not exist", e);
        } catch (ImageException e) {
            throw e;
        } catch (FileSystemException e) {
            throw new BackingChainException(path + ": cannot open backing file " + backingPath + ": "
                    + (e.getReason() != null ? e.getReason() : e.getMessage()), e);
        } catch (IOException e) {
            throw new BackingChainException(path + ": cannot open backing file " + backingPath + ": " + e, e);
        }
    }

    /**
     * The local file a backing file name opens, for the image's info: json: options may name one (unreadable ones
     * give the name itself here, and are refused when the backing file is opened).
     */
    private static String localName(String name) {
        if (JsonFileName.is(name)) {
            try {
                return JsonFileName.parse("", name).filename();
            } catch (BackingChainException refusedWhenOpened) {
                return name;
            }
        }
        return withoutFileProtocol(name);
    }

    /** QEMU reads "file:NAME" as NAME through its file protocol, the one protocol that names a local file. */
    private static String withoutFileProtocol(String name) {
        return name.startsWith("file:") ? name.substring("file:".length()) : name;
    }

    /**
     * A name QEMU reads through a protocol other than its local file one ({@code nbd://host/disk}, {@code ssh:...},
     * or {@code disk:1.raw}, which QEMU takes for the unknown protocol {@code disk}) is refused naming that protocol,
     * as QEMU refuses it, even where a local file of that name exists.
     */
    private static void refuseOtherProtocols(Path path, String what, String name) throws BackingChainException {
        String protocol = protocolOf(name);
        if (protocol != null && !protocol.equals("file") && !JsonFileName.is(name)) {
            throw new BackingChainException(path + ": the " + what + " '" + name + "' is reached through QEMU's '"
                    + protocol + ":' protocol, which this reader does not speak: it opens local files only");
        }
    }

    /**
     * The protocol prefix QEMU sees in a file name ({@code path_has_protocol}: text before a colon with no slash in
     * it), or null for none.
     */
    private static String protocolOf(String name) {
        int colon = name.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        String prefix = name.substring(0, colon);
        return prefix.indexOf('/') >= 0 || prefix.indexOf('\\') >= 0 ? null : prefix;
    }

    /**
     * QEMU's rule for backing files ({@code bdrv_get_full_backing_filename_from_filename}): a relative name is
     * relative to the directory of the image that names it, but a name with a protocol prefix ({@code file:NAME}, or
     * {@code json:} options naming a file) is taken as it is, relative to the current directory (see
     * {@link #fromCurrentDirectory}).
     *
     * @return the path, or null where this JVM cannot name the file ({@link FileNames#toPath})
     */
    static Path backingPath(Path image, String name) {
        String local = localName(name);
        return protocolOf(name) != null ? fromCurrentDirectory(image, local) : resolveSibling(image, local);
    }

    /**
     * Where QEMU opens a relative name as it is, from its current directory (an external data file's name, a backing
     * name with a protocol prefix), so do we, and read what QEMU reads. Where no such file is there, QEMU fails; we
     * look next to the image instead, where {@code qemu-img create} put it when run from the image's directory, so
     * that an image and its files can be moved together and opened from anywhere.
     *
     * @return the path, or null where this JVM cannot name the file ({@link FileNames#toPath})
     */
    static Path fromCurrentDirectory(Path image, String name) {
        Path named = toPath(name);
        if (named == null || named.isAbsolute() || Files.exists(named)) {
            return named;
        }
        return resolveSibling(image, name);
    }

    private static Path resolveSibling(Path image, String name) {
        Path named = toPath(name);
        if (named == null || named.isAbsolute() || image.getParent() == null) {
            return named;
        }
        return image.getParent().resolve(named);
    }

    private static Path toPath(String name) {
        // "base.qcow2/" names a directory, as the system reads it; Path would drop the slash and open the file
        return FileNames.toPath(name.endsWith("/") ? name + "." : name);
    }

    private static String chain(Deque<Path> opening) {
        StringJoiner joiner = new StringJoiner(" -> ");
        opening.descendingIterator().forEachRemaining(p -> joiner.add(p.toString()));
        return joiner.toString();
    }

    private static void closeQuietly(AutoCloseable closeable, Throwable primary) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            primary.addSuppressed(e);
        }
    }
}
