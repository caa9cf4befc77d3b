package io.qcow4j.vmdk;

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
 * VMware virtual disks: descriptor files and the extents they name (flat, hosted sparse, stream-optimized, ESX's
 * COWD and seSparse, zero), and sparse files that embed their descriptor, read as QEMU reads them. Every file other
 * than the image itself (an extent, a parent disk) is opened through the {@link OpenContext}.
 */
@AutoService(ImageFormatProvider.class)
public final class VmdkFormatProvider implements ImageFormatProvider {

    public static final String NAME = "vmdk";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProbeResult probe(ByteBuffer start) {
        return VmdkProbe.recognizes(start) ? ProbeResult.RECOGNIZED : ProbeResult.NOT_RECOGNIZED;
    }

    @Override
    public Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        return VmdkOpener.open(path, options, context);
    }
}
