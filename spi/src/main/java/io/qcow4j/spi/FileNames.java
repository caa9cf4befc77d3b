package io.qcow4j.spi;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * File names as the JDK turns them into bytes: with the locale's encoding ({@code sun.jnu.encoding}), which is not
 * always UTF-8 (the C locale of cron jobs and small containers is ASCII). A name read from an image must go through
 * the same encoding to reach the file it names.
 */
public final class FileNames {

    /** The JDK's encoding of file names on this system. */
    public static final Charset CHARSET = charset();

    private FileNames() {
    }

    /**
     * Decodes the name in {@code bytes}; bytes the encoding cannot map become U+FFFD, so that the name can still be
     * shown, and {@link #toPath} refuses it.
     *
     * @param bytes the bytes holding the name
     * @param offset where the name starts
     * @param length the name's length in bytes
     * @return the name
     */
    public static String decode(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, CHARSET);
    }

    /**
     * The path a decoded name stands for, or null where this JVM cannot name that file: bytes the encoding could
     * not decode, or a name the file system rejects (a NUL inside it).
     *
     * @param name a decoded name
     * @return the path, or null
     */
    public static Path toPath(String name) {
        if (name.indexOf('\uFFFD') >= 0) {
            return null;
        }
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /**
     * Why {@link #toPath} gave null, for a message that tells the user what to do.
     *
     * @return the reason, in words
     */
    public static String whyUnnamable() {
        return "the name is not valid in this JVM's file-name encoding, " + CHARSET
                + (CHARSET.equals(StandardCharsets.UTF_8) ? "" : " (run it in a UTF-8 locale, such as LANG=C.UTF-8)");
    }

    private static Charset charset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /**
     * A name Windows wrote ({@code .\parent.vhd}, {@code ..\base\base.vmdk}, {@code C:\VMs\parent.vhdx},
     * {@code \\?\Volume{...}\parent.vhdx}) as names this system may find, in order of preference: a relative name
     * with {@code /} for {@code \}, then the last part alone, beside the image (where a disk copied off Windows keeps
     * its parent). An absolute name gives its last part, then its last folder and part beside the image's folder
     * (where a VM's folders copied off Windows side by side keep a linked clone's parent).
     *
     * @param stored the name as the image stores it, decoded; null or empty gives none
     * @return the names to try, relative to the image's directory
     */
    public static List<String> windowsNames(String stored) {
        List<String> names = new ArrayList<>();
        if (stored == null || stored.isEmpty()) {
            return names;
        }
        String slashed = stored.replace('\\', '/');
        boolean absolute = slashed.length() > 1 && slashed.charAt(1) == ':' || slashed.startsWith("//");
        if (!absolute) {
            names.add(slashed.startsWith("./") ? slashed.substring(2) : slashed);
        }
        int last = slashed.lastIndexOf('/');
        String base = last >= 0 ? slashed.substring(last + 1) : slashed;
        if (absolute && base.length() > 1 && base.charAt(1) == ':') {
            base = base.substring(2);
        }
        names.add(base);
        // a VM's disks copied off Windows folder by folder: C:\VMs\base\base.vmdk under a clone in C:\VMs\clone
        int previous = last > 0 ? slashed.lastIndexOf('/', last - 1) : -1;
        String folder = previous >= 0 ? slashed.substring(previous + 1, last) : "";
        boolean named = !folder.isEmpty() && !folder.endsWith(":") && !folder.equals("?") && !folder.startsWith("Volume{");
        if (absolute && named) {
            names.add("../" + folder + "/" + base);
        }
        return names;
    }
}
