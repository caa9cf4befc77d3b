package io.qcow4j.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.CorruptImageException;
import io.qcow4j.FileReference;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;
import io.qcow4j.OpenOptions;
import io.qcow4j.spi.BackingFile;
import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.ImageReads;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.spi.ProbeResult;

/**
 * A made-up format with backing files, for tests of chains that pass through more than one format (a qcow2 overlay
 * over a layer over a qcow2 base, say). A layer is a text file:
 * <pre>
 * qcow4j-layer SIZE
 * data OFFSET LENGTH BYTE      (any number: LENGTH bytes of BYTE at OFFSET, in this layer)
 * backing NAME [FORMAT]        (at most one: the image that supplies the rest)
 * charge BYTES                 (heap the layer says it holds, charged to the chain's memory limit)
 * </pre>
 * Everything outside the data runs comes from the backing image, or reads as zeros. Not registered with
 * {@link java.util.ServiceLoader}: tests name it in {@link io.qcow4j.ImageFormats#of}.
 */
public final class LayerFormatProvider implements ImageFormatProvider {

    /** The format's name. */
    public static final String NAME = "layer";
    private static final String MAGIC = "qcow4j-layer ";

    /**
     * The text of a layer of {@code size} bytes with {@code lines} after its first.
     *
     * @param size the layer's size in bytes
     * @param lines the lines after the first
     * @return the text
     */
    public static String layer(long size, String... lines) {
        return MAGIC + size + "\n" + String.join("\n", lines) + "\n";
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProbeResult probe(ByteBuffer start) {
        byte[] magic = MAGIC.getBytes(StandardCharsets.US_ASCII);
        if (start.remaining() < magic.length) {
            return ProbeResult.NOT_RECOGNIZED;
        }
        for (byte b : magic) {
            if (start.get() != b) {
                return ProbeResult.NOT_RECOGNIZED;
            }
        }
        return ProbeResult.RECOGNIZED;
    }

    @Override
    public Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
        if (lines.isEmpty() || !lines.get(0).startsWith(MAGIC)) {
            throw new CorruptImageException("layer: no '" + MAGIC.strip() + "' line");
        }
        long size = number(lines.get(0).substring(MAGIC.length()));
        List<Run> runs = new ArrayList<>();
        String backingName = null;
        String backingFormat = null;
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.strip().split(" +");
            switch (fields[0]) {
                case "data" -> runs.add(new Run(number(fields[1]), number(fields[2]), (byte) number(fields[3])));
                case "backing" -> {
                    backingName = fields[1];
                    backingFormat = fields.length > 2 ? fields[2] : null;
                }
                case "charge" -> context.charge(path, "layer table", number(fields[1]));
                case "" -> { }
                default -> throw new CorruptImageException("layer: unknown line '" + line + "'");
            }
        }
        // opened where the options follow backing files, else only shown to the host's policy
        BackingFile backing = backingName == null ? new BackingFile(null, null)
                : context.backing(context.reference(path, backingName, FileReference.Role.BACKING), backingFormat);
        ImageInfo info = new ImageInfo(NAME, path, size, Files.size(path), 0, false, backingName, backing.path(),
                backingFormat, List.of(), Map.of());
        return new LayerImage(info, List.copyOf(runs), backing.image());
    }

    private static long number(String text) throws CorruptImageException {
        try {
            return Long.decode(text);
        } catch (NumberFormatException e) {
            throw new CorruptImageException("layer: '" + text + "' is not a number", e);
        }
    }

    /** LENGTH bytes of BYTE at OFFSET. */
    private record Run(long offset, long length, byte value) {
        long end() {
            return offset + length;
        }
    }

    private record LayerImage(ImageInfo info, List<Run> runs, Image below) implements Image {

        @Override
        public String format() {
            return NAME;
        }

        @Override
        public long size() {
            return info.virtualSize();
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            if (position < 0) {
                throw new IllegalArgumentException("negative position: " + position);
            }
            if (position >= size()) {
                return -1;
            }
            int total = (int) Math.min(dst.remaining(), size() - position);
            int limit = dst.limit();
            try {
                for (long at = position; at < position + total; ) {
                    BlockStatus status = blockStatus(at, position + total - at);
                    dst.limit(dst.position() + (int) status.length());
                    Run run = runAt(at);
                    if (run != null) {
                        while (dst.hasRemaining()) {
                            dst.put(run.value());
                        }
                    } else {
                        ImageReads.readBacking(below, dst, at);
                    }
                    at = status.end();
                }
            } finally {
                dst.limit(limit);
            }
            return total;
        }

        private Run runAt(long offset) {
            for (Run run : runs) {
                if (offset >= run.offset() && offset < run.end()) {
                    return run;
                }
            }
            return null;
        }

        @Override
        public BlockStatus blockStatus(long offset, long maxLength) throws IOException {
            Objects.checkIndex(offset, size());
            long end = Math.min(size(), offset + maxLength);
            Run run = runAt(offset);
            if (run != null) {
                return new BlockStatus(offset, Math.min(end, run.end()) - offset, Allocation.DATA, false, 0, -1);
            }
            for (Run next : runs) {
                if (next.offset() > offset && next.offset() < end) {
                    end = next.offset();
                }
            }
            return ImageReads.backingStatus(below, offset, end - offset);
        }

        @Override
        public List<Path> files() {
            return List.of(info.filename());
        }

        @Override
        public Optional<Image> backing() {
            return Optional.ofNullable(below);
        }

        @Override
        public void close() throws IOException {
            if (below != null) {
                below.close();
            }
        }
    }
}
