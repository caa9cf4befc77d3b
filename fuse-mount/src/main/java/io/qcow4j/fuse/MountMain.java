package io.qcow4j.fuse;

/**
 * {@code java -cp ... io.qcow4j.fuse.MountMain [options] IMAGE MOUNTPOINT}: the mount command on its own, and the
 * entry point of the background process {@link MountLauncher} starts. See {@link MountLauncher#usage(String)}.
 */
public final class MountMain {

    private MountMain() {
    }

    public static void main(String[] args) {
        // exit explicitly: native threads libfuse attached to the JVM must not keep it alive after the unmount
        System.exit(MountLauncher.run(args));
    }
}
