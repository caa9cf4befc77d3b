package io.qcow4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Recognises the disk image formats QEMU probes for, so that a file in a format no provider reads is refused by name
 * instead of being read as raw: a VMDK or VDI file read as raw gives its container's bytes, not the guest's disk.
 * The signatures are those QEMU's probes look for (block/vmdk.c, vdi.c, vpc.c, vhdx.c, qed.c, parallels.c, bochs.c,
 * cloop.c, crypto.c, dmg.c).
 */
final class ForeignFormats {

    private record Signature(String format, int offset, byte[] bytes) {

        static Signature text(String format, String text) {
            return new Signature(format, 0, text.getBytes(StandardCharsets.ISO_8859_1));
        }

        boolean matches(ByteBuffer start) {
            if (start.remaining() < offset + bytes.length) {
                return false;
            }
            for (int i = 0; i < bytes.length; i++) {
                if (start.get(start.position() + offset + i) != bytes[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final List<Signature> SIGNATURES = List.of(
            Signature.text("vmdk", "KDMV"),
            Signature.text("vmdk", "COWD"),
            Signature.text("vmdk", "# Disk DescriptorFile"),
            Signature.text("vpc", "conectix"),
            Signature.text("vhdx", "vhdxfile"),
            Signature.text("qed", "QED\0"),
            Signature.text("parallels", "WithoutFreeSpace"),
            Signature.text("parallels", "WithouFreSpacExt"),
            Signature.text("bochs", "Bochs Virtual HD Image"),
            Signature.text("cloop", "#!/bin/sh\n#V2.0 Format\n"),
            Signature.text("luks", "LUKS\u00ba\u00be"),
            // VirtualBox writes a text banner first; the binary signature 0xbeda107f follows it at offset 64
            new Signature("vdi", 64, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0xbeda107f).array()));

    private ForeignFormats() {
    }

    /**
     * The format {@code start} (the file's first bytes, between position and limit) belongs to, or null. A file named
     * {@code *.dmg} counts as dmg, as in QEMU, whose dmg probe looks only at the name (its signature is at the end).
     */
    static String identify(ByteBuffer start, Path path) {
        for (Signature signature : SIGNATURES) {
            if (signature.matches(start)) {
                return signature.format();
            }
        }
        Path name = path.getFileName();
        if (name != null && name.toString().endsWith(".dmg")) {
            return "dmg";
        }
        return null;
    }
}
