package io.qcow4j.examples;

import java.io.IOException;
import java.nio.file.Path;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.convert.ConvertOptions;
import io.qcow4j.convert.ConvertResult;
import io.qcow4j.convert.Converter;

/**
 * Converts an image to a sparse raw file and reports progress in whole percents.
 * <pre>java -cp cli/target/qcow2.jar examples/src/main/java/io/qcow4j/examples/ConvertWithProgress.java \
 *     sample/sample.qcow2 /tmp/s.raw</pre>
 */
public final class ConvertWithProgress {

    private ConvertWithProgress() {
    }

    public static void main(String[] args) throws IOException {
        int[] lastPercent = {-1};
        ConvertOptions options = ConvertOptions.builder()
                .workers(4)
                // called from the workers, one call at a time, with a growing count
                .progress((done, total) -> {
                    int percent = (int) (100 * done / total);
                    if (percent != lastPercent[0]) {
                        lastPercent[0] = percent;
                        System.err.print("\r" + percent + "%");
                    }
                })
                .build();
        try (Image image = Images.open(Path.of(args[0]))) {
            ConvertResult result = Converter.convert(image, Path.of(args[1]), options);
            System.err.println();
            System.out.printf("%d bytes: %d read, %d written, %d left as holes%n", result.virtualSize(),
                    result.bytesRead(), result.bytesWritten(), result.bytesZero());
        }
    }
}
