package io.qcow4j.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import com.google.auto.service.AutoService;

import io.qcow4j.Image;
import io.qcow4j.OpenOptions;
import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.spi.ProbeResult;

/** qcow2 images, versions 2 and 3, as QEMU writes them. */
@AutoService(ImageFormatProvider.class)
public final class Qcow2FormatProvider implements ImageFormatProvider {

    /** The format's name, as {@code qemu-img} spells it. */
    public static final String NAME = "qcow2";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProbeResult probe(ByteBuffer start) {
        return HeaderParser.hasMagic(start) ? ProbeResult.RECOGNIZED : ProbeResult.NOT_RECOGNIZED;
    }

    @Override
    public Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        return Qcow2Opener.open(path, options, context);
    }
}
