package io.qcow4j.qcow2;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Supplier;

import io.qcow4j.BackingChainException;
import io.qcow4j.CorruptImageException;
import io.qcow4j.FileReference;
import io.qcow4j.Image;
import io.qcow4j.ImageException;
import io.qcow4j.NoSuchSnapshotException;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.nativeaccess.DeflateBackend;
import io.qcow4j.nativeaccess.Libdeflate;
import io.qcow4j.spi.BackingFile;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.OpenContext;

/** Opens a qcow2 image: header, extensions, snapshot table, L1 table, data file and backing chain. */
final class Qcow2Opener {

    private static final BackingFile NO_BACKING_FILE = new BackingFile(null, null);

    private Qcow2Opener() {
    }

    static Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
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

            BackingFile backingFile = NO_BACKING_FILE;
            if (backingName != null) {
                backingFile = openBacking(path, backingName, extensions.backingFormat(), options, context);
                backing = backingFile.image();
            }
            List<SnapshotTable.Snapshot> snapshots = SnapshotTable.read(file, header, context, path);
            List<BitmapDirectory.Bitmap> bitmaps = BitmapDirectory.read(file, extensions.bitmaps(), header);
            Qcow2Metadata metadata = new Qcow2Metadata(path, header, extensions, geometry, snapshots, bitmaps,
                    backingName, backingFile.path(), extensions.backingFormat());

            long l1Offset = header.l1TableOffset();
            int l1Size = header.l1Size();
            if (options.snapshot().isPresent()) {
                SnapshotTable.Snapshot snapshot = findSnapshot(path, snapshots, options.snapshot().get());
                SnapshotTable.checkL1(snapshot, header, file.size());
                // at the image's current size, as qemu-img convert -l reads it: past the snapshot's L1 table
                // (an image grown since) the clusters are unallocated, and read from the backing file or as zeros
                l1Offset = snapshot.l1TableOffset();
                l1Size = snapshot.l1Size();
            }
            // the entries past the disk's end are never looked up: QEMU reads them, we need not hold them
            int l1Kept = (int) Math.min(Integer.toUnsignedLong(l1Size),
                    HeaderParser.l1EntriesNeeded(header.virtualSize(), header.clusterBits(), header.extendedL2()));
            context.charge(path, "L1 table", l1Kept * 8L);
            long[] l1 = readL1(file, l1Offset, l1Kept);

            dataFile = openDataFile(path, header, extensions, context, file);
            L2Cache cache = new L2Cache(file, geometry, l1, options.get(Qcow2Options.L2_CACHE_SIZE));
            ClusterMap map = new ClusterMap(geometry, cache);
            CompressedClusters compressed = new CompressedClusters(file, geometry,
                    decompressors(header.compressionType()), context.shared(ScratchBuffers.class,
                    ScratchBuffers::new));
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

    /** Each thread's decompressor for clusters of {@code type}: deflate with libdeflate where it is selected. */
    static Supplier<ClusterDecompressor> decompressors(CompressionType type) {
        if (type == CompressionType.ZSTD) {
            return ZstdDecompressor::new;
        }
        Supplier<Libdeflate> chosen = DeflateBackend.libdeflate("deflate clusters");
        return () -> {
            Libdeflate libdeflate = chosen.get();
            return libdeflate != null ? new LibdeflateDecompressor(libdeflate) : new InflaterDecompressor();
        };
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
        // the logger is looked up only when there is a warning: the lookup starts the JDK's logging, which costs a
        // short command more than its work
        if (header.corrupt()) {
            System.getLogger("io.qcow4j.qcow2").log(Level.WARNING,
                    "{0}: the image is marked corrupt; reading it read-only", path);
        } else if (header.dirty()) {
            System.getLogger("io.qcow4j.qcow2").log(Level.WARNING,
                    "{0}: the image is dirty (not closed cleanly); refcounts may be stale, "
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
                                         OpenContext context, HostFile file) throws IOException {
        if (!header.hasDataFile()) {
            return file;
        }
        String dataName = extensions.dataFile();
        if (dataName.isEmpty()) {
            // the policy first: safe mode refuses any data file, named or not
            context.check(context.reference(path, dataName, FileReference.Role.DATA_FILE));
            throw new CorruptImageException(path + ": the image needs an external data file but its name is empty");
        }
        FileReference reference;
        if (JsonFileName.is(dataName)) {
            JsonFileName.Target target = JsonFileName.parse(path + ": the external data file", dataName);
            if (target.format() != null && !target.format().equals("raw")) {
                throw new BackingChainException(path + ": the external data file '" + dataName + "' names the "
                        + target.format() + " driver; a data file holds raw clusters");
            }
            reference = context.reference(path, dataName, FileReference.Role.DATA_FILE, target.filename());
        } else {
            reference = context.reference(path, dataName, FileReference.Role.DATA_FILE);
        }
        return context.openFile(reference);
    }

    /**
     * Opens the backing file {@code name}. QEMU's {@code json:} options are read here, into the local file and the
     * format they name (the header's format first, as in QEMU); options that cannot be read are shown to the policy
     * as they are, then refused when the file would be opened.
     */
    private static BackingFile openBacking(Path path, String name, String headerFormat, OpenOptions options,
                                           OpenContext context) throws IOException {
        JsonFileName.Target target = null;
        BackingChainException unreadable = null;
        if (JsonFileName.is(name)) {
            try {
                target = JsonFileName.parse(path + ": the backing file", name);
            } catch (BackingChainException e) {
                unreadable = e;
            }
        }
        FileReference reference = target != null
                ? context.reference(path, name, FileReference.Role.BACKING, target.filename())
                : context.reference(path, name, FileReference.Role.BACKING);
        if (unreadable != null) {
            // the policy first, as for any name; then the options' own fault, where the file would be opened
            Path checked = context.check(reference);
            if (options.followBacking()) {
                throw unreadable;
            }
            return new BackingFile(null, checked);
        }
        String format = target != null && (headerFormat == null || headerFormat.isEmpty()) ? target.format()
                : headerFormat;
        return context.backing(reference, format);
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
