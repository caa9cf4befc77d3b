package io.qcow4j.examples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;

/**
 * Opens an image, prints its first 512 bytes as text and where its data lives.
 * <pre>java -cp cli/target/qcow2.jar examples/src/main/java/io/qcow4j/examples/OpenAndRead.java sample/sample.qcow2</pre>
 */
public final class OpenAndRead {

    private OpenAndRead() {
    }

    public static void main(String[] args) throws IOException {
        // safe mode would refuse sample.qcow2, which has a backing file: use it for images from strangers
        try (Image image = Images.open(Path.of(args[0]), OpenOptions.defaults())) {
            System.out.println(image.format() + ", " + image.size() + " bytes");

            ByteBuffer sector = ByteBuffer.allocate(512);
            image.readFully(sector, 0); // thread-safe: many threads may read one image at once
            System.out.println(new String(sector.array(), StandardCharsets.UTF_8).replace("\0", ""));

            for (BlockStatus run : image.map(0, image.size())) {
                System.out.printf("%,12d +%,12d  %-11s depth %d%s%n", run.offset(), run.length(),
                        run.allocation(), run.depth(), run.compressed() ? ", compressed" : "");
            }
        }
    }
}
