package io.qcow4j.vmdk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.qcow4j.Allocation;
import io.qcow4j.BackingChainException;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.ImageException;
import io.qcow4j.ImageInfo;
import io.qcow4j.nativeaccess.FileAllocation;
import io.qcow4j.spi.Closeables;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.ImageErrors;
import io.qcow4j.spi.ImageReads;

/** An open VMDK: its extents laid end to end, over its parent where it is a delta disk. Thread-safe, lock-free. */
final class VmdkImage implements Image {

    private final Path path;
    private final HostFile file;
    /** The extents that hold bytes, and where each starts on the disk. */
    private final Extent[] extents;
    private final long[] starts;
    private final List<Extent> allExtents;
    private final List<HostFile> files;
    private final Descriptor descriptor;
    private final String createType;
    private final Image parent;
    private final Path parentPath;
    /** Why reads that reach the parent fail, as in QEMU; null where they may. */
    private final String parentProblem;
    private final long size;
    private volatile boolean closed;

    VmdkImage(Path path, HostFile file, List<Extent> extents, List<HostFile> files, Descriptor descriptor,
              String createType, VmdkOpener.Parent parent) {
        this.path = path;
        this.file = file;
        this.allExtents = List.copyOf(extents);
        List<Extent> holding = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        long start = 0;
        for (Extent extent : extents) {
            if (extent.bytes() > 0) {
                holding.add(extent);
                at.add(start);
            }
            start += extent.bytes();
        }
        this.extents = holding.toArray(new Extent[0]);
        this.starts = at.stream().mapToLong(Long::longValue).toArray();
        this.size = start;
        Set<HostFile> distinct = new LinkedHashSet<>(files);
        this.files = List.copyOf(distinct);
        this.descriptor = descriptor;
        this.createType = createType;
        this.parent = parent.image();
        this.parentPath = parent.path();
        this.parentProblem = parent.problem();
    }

    @Override
    public String format() {
        return VmdkFormatProvider.NAME;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        int total = ImageReads.readLength(dst, position, size);
        ensureOpen();
        return ImageReads.readInPieces(dst, position, total, path, this::readPiece);
    }

    private int readPiece(ByteBuffer dst, long at, int max) throws IOException {
        int index = extentAt(at);
        Extent extent = extents[index];
        long inExtent = at - starts[index];
        Run run = extent.run(inExtent, Math.min(max, extent.bytes() - inExtent));
        int length = (int) run.length();
        dst.limit(dst.position() + length);
        switch (run.kind()) {
            case DATA, DATA_IN_HOLE, COMPRESSED -> extent.read(run, inExtent, dst);
            case ZERO -> ImageReads.fillZeros(dst);
            case UNALLOCATED -> readParent(dst, at);
        }
        return length;
    }

    private void readParent(ByteBuffer dst, long guest) throws IOException {
        if (parent != null && parentProblem != null) {
            throw new BackingChainException("cannot read guest offset " + guest + " from the parent: "
                    + parentProblem);
        }
        ImageReads.readBacking(parent, dst, guest);
    }

    @Override
    public BlockStatus blockStatus(long offset, long maxLength) throws IOException {
        ImageReads.checkStatusQuery(offset, maxLength, size);
        ensureOpen();
        try {
            int index = extentAt(offset);
            Extent extent = extents[index];
            long inExtent = offset - starts[index];
            Run run = extent.run(inExtent, Math.min(maxLength, extent.bytes() - inExtent));
            long length = run.length();
            return switch (run.kind()) {
                case DATA -> new BlockStatus(offset, length, Allocation.DATA, false, 0, run.hostOffset());
                case DATA_IN_HOLE -> new BlockStatus(offset, length, Allocation.DATA_IN_HOLE, false, 0,
                        run.hostOffset());
                case COMPRESSED -> new BlockStatus(offset, length, Allocation.DATA, true, 0, -1);
                case ZERO -> new BlockStatus(offset, length, Allocation.ZERO, false, 0, -1);
                case UNALLOCATED -> ImageReads.backingStatus(parent, offset, length);
            };
        } catch (ImageException e) {
            throw ImageErrors.naming(path, e);
        }
    }

    /** The index of the extent holding guest offset {@code offset}, which is inside the disk. */
    private int extentAt(long offset) {
        int i = Arrays.binarySearch(starts, offset);
        return i >= 0 ? i : -i - 2;
    }

    @Override
    public ImageInfo info() throws IOException {
        ensureOpen();
        Map<String, Object> specific = new LinkedHashMap<>();
        specific.put("cid", descriptor.cid());
        specific.put("parent-cid", descriptor.parentCid());
        specific.put("create-type", createType);
        List<Map<String, Object>> extentInfo = new ArrayList<>();
        for (Extent extent : allExtents) {
            extentInfo.add(extent.info());
        }
        specific.put("extents", extentInfo);
        String parentName = descriptor.parentFileNameHint();
        return new ImageInfo(VmdkFormatProvider.NAME, path, size, actualSize(), clusterSize(), false, parentName,
                parentPath, parentName == null ? null : VmdkFormatProvider.NAME, List.of(), specific);
    }

    /** The grain size, where every extent has grains of it, uncompressed or all compressed alike: QEMU's rule. */
    private int clusterSize() {
        Extent first = allExtents.get(0);
        for (Extent extent : allExtents) {
            // extents without grains (flat, zero) have a grain size of 0, so one comparison covers QEMU's flat test
            if (extent.compressed() != first.compressed() || extent.grainBytes() != first.grainBytes()) {
                return 0;
            }
        }
        return (int) first.grainBytes();
    }

    /** The bytes the descriptor and extent files take on their file system, as QEMU counts them. */
    private long actualSize() throws IOException {
        long total = 0;
        for (HostFile f : files) {
            total += FileAllocation.allocatedBytes(f.path());
        }
        return total;
    }

    @Override
    public List<Path> files() {
        return files.stream().map(HostFile::path).toList();
    }

    @Override
    public Optional<Image> backing() {
        return Optional.ofNullable(parent);
    }

    List<Extent> extents() {
        return allExtents;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        List<Closeable> all = new ArrayList<>(files);
        if (!files.contains(file)) {
            all.add(file);
        }
        all.addAll(allExtents);
        all.add(parent);
        Closeables.closeAll(all.toArray(Closeable[]::new));
    }
}
