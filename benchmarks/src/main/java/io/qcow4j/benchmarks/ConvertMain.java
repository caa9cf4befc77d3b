package io.qcow4j.benchmarks;

import java.nio.file.Path;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.convert.ConversionException;
import io.qcow4j.convert.ConvertOptions;
import io.qcow4j.convert.Converter;

/**
 * {@code ConvertMain [-m WORKERS] SRC DST}: converts with the default options, for compare-qemu-img.sh when the
 * command line ({@code bin/qcow2 convert}) is not built.
 */
public final class ConvertMain {

    private ConvertMain() {
    }

    public static void main(String[] args) throws Exception {
        ConvertOptions options = ConvertOptions.defaults();
        int first = 0;
        if (args.length == 4 && args[0].equals("-m")) {
            options = options.toBuilder().workers(Integer.parseInt(args[1])).build();
            first = 2;
        } else if (args.length != 2) {
            System.err.println("usage: ConvertMain [-m WORKERS] SRC DST");
            System.exit(2);
        }
        try (Image image = Images.open(Path.of(args[first]))) {
            Converter.convert(image, Path.of(args[first + 1]), options);
        } catch (ConversionException e) {
            System.err.println("convert: " + e.getMessage());
            System.exit(1);
        }
    }
}
