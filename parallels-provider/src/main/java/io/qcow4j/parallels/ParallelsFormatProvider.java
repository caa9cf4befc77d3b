package io.qcow4j.parallels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import com.google.auto.service.AutoService;

import io.qcow4j.Image;
import io.qcow4j.OpenOptions;
import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.spi.ProbeResult;

/**
 * Parallels' expanding disk ({@code .hds}, the file inside a {@code .hdd} bundle), QEMU's {@code parallels} format:
 * headers {@code WithoutFreeSpace} (offsets in sectors) and {@code WithouFreSpacExt} (offsets in clusters); and a
 * bundle's {@code DiskDescriptor.xml}, with its snapshot chain and split storages, which QEMU does not read.
 */
@AutoService(ImageFormatProvider.class)
public final class ParallelsFormatProvider implements ImageFormatProvider {

    /** The format's name, as qemu-img's. */
    public static final String NAME = "parallels";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProbeResult probe(ByteBuffer start) {
        byte[] bytes = new byte[Math.min(start.remaining(), 512)];
        start.get(start.position(), bytes);
        return ParallelsHeader.recognizes(start) || DiskDescriptor.recognizes(bytes, bytes.length)
                ? ProbeResult.RECOGNIZED : ProbeResult.NOT_RECOGNIZED;
    }

    @Override
    public Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        return ParallelsOpener.open(path, context);
    }
}
