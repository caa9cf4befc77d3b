package io.qcow4j.raw;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import com.google.auto.service.AutoService;

import io.qcow4j.Image;
import io.qcow4j.NoSuchSnapshotException;
import io.qcow4j.OpenOptions;
import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.spi.ProbeResult;

/** Raw images: the file is the disk. Claims whatever no other provider recognises, as {@code qemu-img} does. */
@AutoService(ImageFormatProvider.class)
public final class RawFormatProvider implements ImageFormatProvider {

    /** The format's name, as {@code qemu-img} spells it. */
    public static final String NAME = "raw";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProbeResult probe(ByteBuffer start) {
        return ProbeResult.FALLBACK;
    }

    @Override
    public Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        if (options.snapshot().isPresent()) {
            throw new NoSuchSnapshotException(path + ": a raw image has no snapshots (asked for '"
                    + options.snapshot().get() + "')");
        }
        return RawImage.open(path);
    }
}
