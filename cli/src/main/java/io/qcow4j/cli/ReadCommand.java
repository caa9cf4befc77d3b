package io.qcow4j.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.qcow4j.Image;
import io.qcow4j.ImageException;

@Command(name = "read", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Write the guest's bytes, as the virtual machine sees them, to standard output.",
        footer = {"", "Examples:",
                "  qcow2 read disk.qcow2 > disk.raw           # the whole disk, not sparse",
                "  qcow2 read --length 512 disk.qcow2 | xxd   # the boot sector",
                "  qcow2 read --offset 1M --length 4K disk.qcow2"})
final class ReadCommand extends SingleImageCommand {

    @Option(names = "--offset", paramLabel = "N", converter = SizeConverter.class, defaultValue = "0",
            description = "The guest offset to start at (K, M, G suffixes; default 0).")
    private long offset;

    @Option(names = "--length", paramLabel = "N", converter = SizeConverter.class,
            description = "How many bytes to write (default: up to the end of the disk).")
    private Long length;

    @Option(names = "--buffer-size", paramLabel = "B", converter = SizeConverter.class, defaultValue = "1M",
            description = "Bytes read and written at a time (default 1M).")
    private long bufferSize;

    @Override
    public Integer call() throws Exception {
        if (bufferSize < 1 || bufferSize > (1 << 30)) {
            throw usage("--buffer-size must be between 1 and 1G: " + bufferSize);
        }
        try (Image opened = open(openOptions())) {
            long end = end(opened.size());
            return copy(opened, end, channel(streams().out()));
        }
    }

    private long end(long size) throws ImageException {
        if (offset > size) {
            throw new ImageException("offset " + offset + " is past the end of the " + size + "-byte disk");
        }
        if (length == null) {
            return size;
        }
        if (length > size - offset) {
            throw new ImageException("cannot read " + length + " bytes at offset " + offset + ": the disk ends at "
                    + size);
        }
        return offset + length;
    }

    /** @return the exit status: 0, or {@link #BROKEN_PIPE} when the reader of standard output went away */
    private int copy(Image source, long end, WritableByteChannel out) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.min(bufferSize, Math.max(end - offset, 1)));
        long position = offset;
        while (position < end) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
            source.readFully(buffer, position);
            position += buffer.flip().remaining();
            try {
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            } catch (IOException e) {
                return outputFailed(e);
            }
        }
        return 0;
    }

    private static WritableByteChannel channel(OutputStream out) {
        return out instanceof FileOutputStream file ? file.getChannel() : Channels.newChannel(out);
    }
}
