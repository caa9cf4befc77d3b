package io.qcow4j.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;

import picocli.CommandLine.Model.OptionSpec;

import io.qcow4j.Image;
import io.qcow4j.ImageException;

/** {@code qcow2 read}: the guest's bytes to standard output. */
final class ReadCommand extends SingleImageCommand {

    private final OptionSpec offset = CommandModels.option("N", "The guest offset to start at (K, M, G suffixes;"
            + " default 0).", "--offset").type(long.class).converters(new SizeConverter()).defaultValue("0").build();

    private final OptionSpec length = CommandModels.option("N", "How many bytes to write (default: up to the end of the"
            + " disk).", "--length").type(Long.class).converters(new SizeConverter()).build();

    private final OptionSpec bufferSize = CommandModels.option("B", "Bytes read and written at a time (default 1M).",
            "--buffer-size").type(long.class).converters(new SizeConverter()).defaultValue("1M").build();

    ReadCommand(Streams streams) {
        super(streams, "read", "Write the guest's bytes, as the virtual machine sees them, to standard output.",
                "  qcow2 read disk.qcow2 > disk.raw           # the whole disk, not sparse",
                "  qcow2 read --length 512 disk.qcow2 | xxd   # the boot sector",
                "  qcow2 read --offset 1M --length 4K disk.qcow2");
        spec().addOption(offset).addOption(length).addOption(bufferSize);
    }

    @Override
    public Integer call() throws Exception {
        long offset = CommandModels.<Long>value(this.offset);
        Long length = CommandModels.value(this.length);
        long bufferSize = CommandModels.<Long>value(this.bufferSize);
        if (bufferSize < 1 || bufferSize > (1 << 30)) {
            throw usage("--buffer-size must be between 1 and 1G: " + bufferSize);
        }
        try (Image opened = open(openOptions())) {
            long end = end(opened.size(), offset, length);
            return copy(opened, offset, end, bufferSize, channel(streams().out()));
        }
    }

    private static long end(long size, long offset, Long length) throws ImageException {
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
    private static int copy(Image source, long offset, long end, long bufferSize, WritableByteChannel out)
            throws IOException {
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
