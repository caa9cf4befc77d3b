package io.qcow4j.fuse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.qcow4j.FilePolicy;
import io.qcow4j.OpenOptions;
import io.qcow4j.qcow2.Qcow2Options;

/**
 * Parses and writes the {@code mount} command line. Writing is how the background launcher hands a request to the
 * child process, so the two must stay inverse.
 */
final class MountArguments {

    /** Internal: the child reports "ready" or its error on standard output, then keeps quiet. */
    static final String REPORT_READY = "--report-ready";

    private MountArguments() {
    }

    /** A parsed command line: the request and whether the caller is the launcher's own child. */
    record Parsed(MountRequest request, boolean reportReady, boolean help) {
    }

    static Parsed parse(String[] args) {
        List<String> positional = new ArrayList<>();
        OpenOptions open = OpenOptions.defaults();
        MountOptions mount = MountOptions.defaults();
        boolean reportReady = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            String value = null;
            int equals = option.indexOf('=');
            if (option.startsWith("--") && equals > 0) {
                value = option.substring(equals + 1);
                option = option.substring(0, equals);
                if (!takesValue(option)) {
                    throw new IllegalArgumentException("option " + option + " takes no value");
                }
            } else if (takesValue(option)) {
                if (++i >= args.length) {
                    throw new IllegalArgumentException("option " + option + " needs a value");
                }
                value = args[i];
            }
            switch (option) {
                case "-h", "--help" -> {
                    return new Parsed(null, false, true);
                }
                case "-f", "--foreground" -> mount = mount.withForeground(true);
                case "-d", "--debug" -> mount = mount.withDebug(true);
                case "--allow-other" -> mount = mount.withAllowOther(true);
                case "--page-cache" -> mount = mount.withPageCache(true);
                case "--safe" -> open = open.toBuilder().filePolicy(FilePolicy.refuseOtherFiles()).build();
                case REPORT_READY -> reportReady = true;
                case "-n", "--name" -> mount = mount.withFileName(value);
                case "--format" -> open = open.toBuilder().format(value).build();
                case "--l2-cache-size" -> open = open.toBuilder().set(Qcow2Options.L2_CACHE_SIZE, parseSize(value)).build();
                case "-l", "--snapshot" -> open = open.toBuilder().snapshot(value).build();
                default -> {
                    if (option.startsWith("-") && option.length() > 1) {
                        throw new IllegalArgumentException("unknown option " + option);
                    }
                    positional.add(option);
                }
            }
        }
        if (positional.size() != 2) {
            throw new IllegalArgumentException("expected IMAGE and MOUNTPOINT, got " + positional.size()
                    + " argument(s)");
        }
        MountRequest request = new MountRequest(Path.of(positional.get(0)), Path.of(positional.get(1)), open, mount);
        return new Parsed(request, reportReady, false);
    }

    private static boolean takesValue(String option) {
        return switch (option) {
            case "-n", "--name", "--format", "--l2-cache-size", "-l", "--snapshot" -> true;
            default -> false;
        };
    }

    /** A byte count such as {@code 8388608}, {@code 8M}, {@code 512k} or {@code 1G} (binary units). */
    static long parseSize(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        int shift = 0;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                case 't' -> shift = 40;
                default -> shift = -1;
            }
        }
        String digits = shift >= 0 ? s.substring(0, s.length() - 1) : s;
        try {
            long value = Long.parseLong(digits);
            if (value < 0 || value > (Long.MAX_VALUE >> Math.max(shift, 0))) {
                throw new NumberFormatException();
            }
            return value << Math.max(shift, 0);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid size '" + text + "': expected bytes or a number with k, M, G"
                    + " or T");
        }
    }

    /** The command line that makes a foreground child serve {@code request} and report when ready. */
    static List<String> forChild(MountRequest request, String fileName) {
        List<String> args = new ArrayList<>();
        args.add(request.image().toAbsolutePath().toString());
        args.add(request.mountPoint().toAbsolutePath().toString());
        args.add("--name=" + fileName);
        OpenOptions open = request.openOptions();
        if (open.format().isPresent()) {
            args.add("--format=" + open.format().get());
        }
        if (open.filePolicy() == FilePolicy.refuseOtherFiles()) {
            args.add("--safe");
        }
        args.add("--l2-cache-size=" + open.get(Qcow2Options.L2_CACHE_SIZE));
        if (open.snapshot().isPresent()) {
            args.add("--snapshot=" + open.snapshot().get());
        }
        if (request.mountOptions().allowOther()) {
            args.add("--allow-other");
        }
        if (request.mountOptions().pageCache()) {
            args.add("--page-cache");
        }
        args.add("-f");
        args.add(REPORT_READY);
        return args;
    }
}
