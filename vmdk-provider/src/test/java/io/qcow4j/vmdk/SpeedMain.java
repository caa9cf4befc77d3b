package io.qcow4j.vmdk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import io.qcow4j.BackingChainException;
import io.qcow4j.FileReference;
import io.qcow4j.Image;
import io.qcow4j.OpenOptions;
import io.qcow4j.convert.ConvertOptions;
import io.qcow4j.convert.Converter;
import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.OpenContext;

/**
 * {@code SpeedMain jdk|libdeflate SRC DST}: converts a single-file VMDK to raw as the command line will, with the
 * grains inflated by the JDK's zlib (what this branch ships; the benchmarks' {@code ConvertMain} gives the same) or
 * by libdeflate (what the merge with the native module brings). For the speed comparison with
 * {@code qemu-img convert -O raw}; run with the test class path:
 * <pre>
 * java -cp vmdk-provider/target/test-classes:vmdk-provider/target/classes:$(cat cp.txt) \
 *     io.qcow4j.vmdk.SpeedMain libdeflate disk.vmdk disk.raw
 * </pre>
 */
public final class SpeedMain {

    private SpeedMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !(args[0].equals("jdk") || args[0].equals("libdeflate"))) {
            System.err.println("usage: SpeedMain jdk|libdeflate SRC DST");
            System.exit(2);
        }
        Supplier<GrainInflater> inflaters = args[0].equals("jdk") ? JdkGrainInflater::new
                : LibdeflateGrainInflater::new;
        Path source = Path.of(args[1]);
        try (Image image = new VmdkFormatProvider().open(source, OpenOptions.defaults(), new Context(inflaters))) {
            Converter.convert(image, Path.of(args[2]), ConvertOptions.defaults());
        }
    }

    /** The context of a single image: its extents next to it, no parent, the grain buffers of the chosen inflater. */
    private static final class Context implements OpenContext {
        private final Map<Class<?>, Object> shared = new HashMap<>();

        Context(Supplier<GrainInflater> inflaters) {
            shared.put(GrainBuffers.class, new GrainBuffers(inflaters));
        }

        @Override
        public FileReference reference(Path image, String name, FileReference.Role role) {
            return new FileReference(image, name, role, image.resolveSibling(name));
        }

        @Override
        public FileReference reference(Path image, String name, FileReference.Role role, String localName) {
            return new FileReference(image, name, role, Path.of(localName));
        }

        @Override
        public Path check(FileReference reference) {
            return reference.path();
        }

        @Override
        public Image openBacking(FileReference reference, String format) throws IOException {
            throw new BackingChainException("SpeedMain converts single images, not delta disks");
        }

        @Override
        public HostFile openFile(FileReference reference) throws IOException {
            return HostFile.open(reference.path());
        }

        @Override
        public void charge(Path image, String what, long bytes) {
            // one image: nothing to share the memory with
        }

        @Override
        public <T> T shared(Class<T> type, Supplier<? extends T> factory) {
            return type.cast(shared.computeIfAbsent(type, t -> factory.get()));
        }
    }
}
