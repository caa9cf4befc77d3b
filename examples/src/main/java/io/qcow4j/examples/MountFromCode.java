package io.qcow4j.examples;

import java.io.IOException;
import java.nio.file.Path;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.fuse.MountOptions;
import io.qcow4j.fuse.RawFileMount;

/**
 * Serves an image as a read-only raw file through FUSE until it is unmounted ({@code fusermount -u MOUNTPOINT}).
 * <pre>java -cp cli/target/qcow2.jar examples/src/main/java/io/qcow4j/examples/MountFromCode.java \
 *     sample/sample.qcow2 /mnt/sample</pre>
 */
public final class MountFromCode {

    private MountFromCode() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        // close the mount before the image: the mount reads from it until then
        try (Image image = Images.open(Path.of(args[0]));
             RawFileMount mount = RawFileMount.mount(image, Path.of(args[1]), MountOptions.defaults())) {
            System.out.println("serving " + mount.file() + "; unmount with: fusermount -u " + mount.mountPoint());
            mount.awaitUnmount();
        }
    }
}
