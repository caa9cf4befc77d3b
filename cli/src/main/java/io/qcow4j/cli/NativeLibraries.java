package io.qcow4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Copies the native libraries the jar carries for this machine out of it, once per jar, for {@code bin/qcow2} to
 * name on the command line: jffi's stub (behind jnr-ffi, which binds libfuse and libdeflate), named with
 * {@code -Djffi.boot.library.path}, and zstd-jni's library, with {@code -DZstdNativePath}. Left to themselves, both
 * copy their library to a new temporary file at every start: for jffi alone a {@code SecureRandom} for the name, the
 * copy and a fresh load took about 35 ms of a short command (converting a small compressed image: 239 against 204 ms).
 *
 * <p>Usage: {@code java -cp qcow2.jar io.qcow4j.cli.NativeLibraries DIR}; exit status 1, with nothing
 * written, when the jar holds neither library for this machine (the libraries then copy themselves, as before).
 */
final class NativeLibraries {

    private NativeLibraries() {
    }

    public static void main(String[] args) throws IOException, URISyntaxException {
        Path jar = Path.of(NativeLibraries.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> folders = folders(System.getProperty("os.arch"), System.getProperty("os.name"));
        Path directory = Path.of(args[0]);
        int copied = 0;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : libraries(zip, folders)) {
                Files.createDirectories(directory);
                copy(zip, entry, directory.resolve(entry.getName().substring(entry.getName().lastIndexOf('/') + 1)));
                copied++;
            }
        }
        if (copied == 0) {
            System.err.println("NativeLibraries: the jar holds no native library for " + folders);
            System.exit(1);
        }
    }

    /**
     * The jar's folders holding this machine's libraries, in each library's own naming: jffi's
     * ({@code jni/x86_64-Linux/}) and zstd-jni's ({@code linux/amd64/}); none for a machine this does not know.
     */
    static List<String> folders(String arch, String os) {
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return List.of();
        }
        return switch (arch) {
            case "amd64", "x86_64" -> List.of("jni/x86_64-Linux/", "linux/amd64/");
            case "aarch64" -> List.of("jni/aarch64-Linux/", "linux/aarch64/");
            default -> List.of();
        };
    }

    private static List<ZipEntry> libraries(ZipFile zip, List<String> folders) {
        List<ZipEntry> found = new ArrayList<>();
        for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
            ZipEntry entry = entries.nextElement();
            String name = entry.getName();
            for (String folder : folders) {
                if (name.startsWith(folder) && name.endsWith(".so") && name.indexOf('/', folder.length()) < 0) {
                    found.add(entry);
                }
            }
        }
        return found;
    }

    /** Written aside and renamed: a launch running meanwhile sees the whole library or none. */
    private static void copy(ZipFile zip, ZipEntry entry, Path target) throws IOException {
        Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".partial");
        try (InputStream in = zip.getInputStream(entry)) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
