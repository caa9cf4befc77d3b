package io.qcow4j.vdi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import com.google.auto.service.AutoService;

import io.qcow4j.Image;
import io.qcow4j.OpenOptions;
import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.spi.ProbeResult;

/** VirtualBox's VDI: dynamic, static and differencing images of header versions 0.2 and 1.x. */
@AutoService(ImageFormatProvider.class)
public final class VdiFormatProvider implements ImageFormatProvider {

    public static final String NAME = "vdi";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProbeResult probe(ByteBuffer start) {
        return VdiHeader.hasSignature(start) ? ProbeResult.RECOGNIZED : ProbeResult.NOT_RECOGNIZED;
    }

    @Override
    public Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        return VdiOpener.open(path, options, context);
    }
}
