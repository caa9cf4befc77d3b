package io.qcow4j.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.ImageFormats;
import io.qcow4j.testing.ImageExerciser;

/**
 * Fuzzes VHDX files: a VHDX is megabytes of mostly padding, so instead of mutating whole files this patches a few
 * little-endian fields of valid images (dynamic, differencing with a partially present block, one with a log to
 * replay, 4096-byte sectors), mostly in the structures, often recomputing the CRC-32Cs so that the patch reaches the
 * parser behind them, and sometimes cuts the file. Only an {@link IOException} with a message may come out. Findings
 * land in {@code src/test/resources/io/qcow4j/vhdx/VhdxFuzzTestInputs/patchAndRead/} and replay in every run:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -pl vhdx-provider -am test -Dtest=VhdxFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=600
 * </pre>
 */
class VhdxFuzzTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new VhdxFormatProvider());
    private static final int MB = VhdxBuilder.MB;
    private static final List<byte[]> SEEDS = seeds();
    private static final int[] WIDTHS = {1, 2, 4, 8};

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "60s")
    void patchAndRead(FuzzedDataProvider data) throws IOException {
        byte[] image = SEEDS.get(data.consumeInt(0, SEEDS.size() - 1)).clone();
        int patches = data.consumeInt(1, 6);
        for (int i = 0; i < patches; i++) {
            int width = WIDTHS[data.consumeInt(0, WIDTHS.length - 1)];
            int at = switch (data.consumeInt(0, 3)) {
                case 0 -> data.consumeInt(0, 320 * 1024 - width);
                case 1, 2 -> data.consumeInt(MB, Math.min(image.length, 5 * MB) - width);
                default -> data.consumeInt(0, image.length - width);
            };
            long value = data.consumeLong();
            for (int b = 0; b < width; b++) {
                image[at + b] = (byte) (value >>> (8 * b));
            }
        }
        if (data.consumeBoolean()) {
            fixChecksums(ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN));
        }
        if (data.consumeInt(0, 7) == 0) {
            image = Arrays.copyOf(image, data.consumeInt(0, image.length));
        }
        Path file = dir.resolve("patched.vhdx");
        Files.write(file, image);
        ImageExerciser.fuzzOne(FORMATS, file);
    }

    /** The headers', region tables' and log entries' CRC-32Cs made right for their patched bytes. */
    private static void fixChecksums(ByteBuffer image) {
        VhdxHostileTest.fixChecksums(image);
        int at = 0;
        for (int i = 0; i < 64 && VhdxBuilder.LOG_AT + at + 4096 <= image.capacity(); i++) {
            ByteBuffer entry = image.slice(VhdxBuilder.LOG_AT + at, 4096).order(ByteOrder.LITTLE_ENDIAN);
            int length = entry.getInt(8);
            if (entry.getInt(0) != 0x65676f6c || length < 4096 || length % 4096 != 0
                    || length > image.capacity() - VhdxBuilder.LOG_AT - at) {
                break;
            }
            ByteBuffer whole = image.slice(VhdxBuilder.LOG_AT + at, length).order(ByteOrder.LITTLE_ENDIAN);
            whole.putInt(4, Checksums.compute(whole, 4));
            at += length;
        }
    }

    private static List<byte[]> seeds() {
        byte[] bits = new byte[MB];
        Arrays.fill(bits, 0, 4096, (byte) 0x5a);
        boolean[] sectors = new boolean[MB / 512];
        for (int s = 0; s < sectors.length; s += 3) {
            sectors[s] = true;
        }
        VhdxBuilder before = new VhdxBuilder(2L * MB).block(0, PayloadMap.FULLY_PRESENT, bits);
        byte[] changed = bits.clone();
        changed[9000] = 1;
        VhdxBuilder after = new VhdxBuilder(2L * MB).block(0, PayloadMap.FULLY_PRESENT, changed)
                .block(1, PayloadMap.ZERO, null);
        return List.of(
                new VhdxBuilder(3L * MB).block(0, PayloadMap.FULLY_PRESENT, bits).block(1, PayloadMap.ZERO, null)
                        .build(),
                new VhdxBuilder(2L * MB).parent(Map.of("parent_linkage", "{" + Guid.ZERO + "}",
                        "relative_path", ".\\parent.vhdx")).partialBlock(1, bits, sectors).build(),
                VhdxBuilder.logOver(before.build(), after.build()),
                new VhdxBuilder(8L * MB).logicalSector(4096).blockSize(4 * MB)
                        .block(1, PayloadMap.FULLY_PRESENT, bits).build());
    }
}
