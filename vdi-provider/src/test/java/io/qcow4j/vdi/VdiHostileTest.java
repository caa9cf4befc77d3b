package io.qcow4j.vdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageException;
import io.qcow4j.ImageFormats;
import io.qcow4j.ImageLimitException;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnknownFormatException;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.testing.ImageExerciser;

/** Every header field and block map entry out of range, and truncated files: refused by name. */
class VdiHostileTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new VdiFormatProvider());
    private static final OpenOptions AS_VDI = OpenOptions.builder().format("vdi").build();
    private static final int H = 72;

    @TempDir
    Path dir;

    /** Four blocks of 4 KiB, blocks 0 and 2 stored; map at 512, data at 1024. */
    private static byte[] valid() {
        return new VdiBuilder(4 * 4096).blockSize(4096).block(0, VdiFixturesTest.pattern(4096, 1))
                .block(2, VdiFixturesTest.pattern(4096, 2)).build();
    }

    private Path patched(Consumer<ByteBuffer> edit) throws IOException {
        ByteBuffer image = ByteBuffer.wrap(valid()).order(ByteOrder.LITTLE_ENDIAN);
        edit.accept(image);
        return Files.write(dir.resolve("hostile.vdi"), image.array());
    }

    private static void assertRefused(Path file, Class<? extends ImageException> type, String message) {
        assertThatThrownBy(() -> FORMATS.open(file, AS_VDI)).isInstanceOf(type).hasMessageContaining(message);
    }

    @Test
    void theValidImageOpens() throws IOException {
        ImageExerciser.exercise(FORMATS, patched(b -> { }), OpenOptions.defaults(), new ImageExerciser.Budget(1 << 20, 100, 0));
    }

    @Test
    void signatureAndVersion() throws IOException {
        assertThatThrownBy(() -> FORMATS.open(patched(b -> b.putInt(64, 0))))
                .isInstanceOf(UnknownFormatException.class);
        assertRefused(patched(b -> b.putInt(64, 0)), CorruptImageException.class, "no signature 0xbeda107f");
        assertRefused(patched(b -> b.putInt(68, 0x00020000)), UnsupportedFeatureException.class,
                "version 2.0 is not 0.2 or 1.x");
        // VirtualBox takes major 0 only as the old 0.2
        for (int version : new int[] {0, 1, 3}) {
            assertRefused(patched(b -> b.putInt(68, version)), UnsupportedFeatureException.class,
                    "version 0." + version + " is not 0.2 or 1.x");
        }
        assertRefused(patched(b -> b.putInt(H, 100)), CorruptImageException.class,
                "header size 100 is less than the 384 bytes");
    }

    @Test
    void typeBlockSizeAndExtra() throws IOException {
        assertRefused(patched(b -> b.putInt(H + 4, 9)), UnsupportedFeatureException.class, "image type 9 is not");
        for (int size : new int[] {0, 256, 3000, 1 << 31}) {
            assertRefused(patched(b -> b.putInt(H + 304, size)), CorruptImageException.class,
                    "block size " + Integer.toUnsignedString(size) + " is not a power of two from 512 to 1 GiB");
        }
        assertRefused(patched(b -> b.putInt(H + 308, -1)), CorruptImageException.class,
                "extra block data of 4294967295 bytes is more than 1 GiB");
    }

    @Test
    void diskSizeAndBlockCount() throws IOException {
        assertRefused(patched(b -> b.putLong(H + 296, 4 * 4096 + 1)), CorruptImageException.class,
                "the disk of 16385 bytes is larger than its 4 blocks of 4096 bytes");
        assertRefused(patched(b -> b.putLong(H + 296, -1)), CorruptImageException.class,
                "the disk of 18446744073709551615 bytes");
        assertRefused(patched(b -> {
            b.putInt(H + 312, -1);
            b.putLong(H + 296, 1L << 40);
        }), ImageLimitException.class, "4294967295 blocks are more than the");
    }

    @Test
    void blockMapPlacement() throws IOException {
        assertRefused(patched(b -> b.putInt(H + 268, 1 << 30)), CorruptImageException.class,
                "VDI block map at offset 1073741824 (16 bytes) passes the end");
        assertRefused(patched(b -> b.putInt(512 + 4, 7)), CorruptImageException.class,
                "VDI block map entry 1: block 7 is past the image's 4 blocks");
        assertRefused(patched(b -> b.putInt(512 + 4, 3)), CorruptImageException.class,
                "VDI block map entry 1: block 3 ends at 17408, past the end of the 9216-byte file");
        assertRefused(patched(b -> b.putInt(H + 272, 1 << 30)), CorruptImageException.class,
                "VDI block map entry 0: block 0 ends at");
        // as VirtualBox's vdiValidateHeader: the map after the header, the data after the map
        assertRefused(patched(b -> b.putInt(H + 268, 452)), CorruptImageException.class,
                "the block map at offset 452 is inside the 456 bytes of the header");
        assertRefused(patched(b -> b.putInt(H + 272, 512 + 12)), CorruptImageException.class,
                "the data at offset 524 starts inside the block map, which ends at 528");
    }

    @Test
    void mapsAreChargedToTheChain() throws IOException {
        Path big = dir.resolve("big.vdi");
        ByteBuffer image = ByteBuffer.allocate(512 + 4 * (1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
        image.put(valid(), 0, 512);
        image.putInt(H + 312, 1 << 20);
        image.putLong(H + 296, (1L << 20) * 4096);
        image.putInt(H + 272, image.capacity());
        for (int i = 512; i < image.capacity(); i += 4) {
            image.putInt(i, VdiBlockMap.FREE);
        }
        Files.write(big, image.array());
        assertThatThrownBy(() -> FORMATS.open(big, OpenOptions.builder().chainMemoryLimit(1 << 20).build()))
                .isInstanceOf(ImageLimitException.class).hasMessageContaining("VDI block map");
        ImageExerciser.exercise(FORMATS, big, OpenOptions.defaults(), new ImageExerciser.Budget(1 << 20, 100, 0));
    }

    @Test
    void everyTruncationIsRefusedOrReadsWithinTheFile() throws IOException {
        byte[] image = valid();
        for (int length = 0; length < image.length; length += 61) {
            Path cut = Files.write(dir.resolve("cut.vdi"), Arrays.copyOf(image, length));
            try {
                ImageExerciser.exercise(FORMATS, cut, AS_VDI, new ImageExerciser.Budget(1 << 20, 100, 0));
            } catch (ImageException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }
}
