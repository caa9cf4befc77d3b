package io.qcow4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * The arguments to {@link Qcow2Command} of a background mount's child: the user's {@code mount} command line again,
 * with every option as picocli matched it (so that an option added to {@link MountCommand} reaches the child without
 * being named here, and no option value has to be written back from the objects it became), then
 * {@code --foreground --report-ready}, and the image and mount point made absolute, as the child works from the root
 * directory.
 */
final class ChildCommandLine {

    /** The options that say how to launch, which the child's own launch replaces. */
    private static final Set<String> LAUNCH_OPTIONS = Set.of(MountCommand.FOREGROUND, MountCommand.REPORT_READY);

    private ChildCommandLine() {
    }

    /** @param mount what picocli matched of the {@code mount} subcommand's arguments */
    static List<String> of(ParseResult mount) {
        List<String> args = new ArrayList<>();
        args.add(mount.commandSpec().name());
        for (OptionSpec option : mount.matchedOptions()) {
            String name = option.longestName();
            if (LAUNCH_OPTIONS.contains(name)) {
                continue;
            }
            for (String value : option.originalStringValues()) {
                // a flag as the user gives it; every value attached, so that one starting with '-' stays a value
                args.add(option.arity().max() == 0 && "true".equals(value) ? name : name + "=" + value);
            }
        }
        args.add(MountCommand.FOREGROUND);
        args.add(MountCommand.REPORT_READY);
        // after "--", an image named "-x" is not an option
        args.add("--");
        for (PositionalParamSpec parameter : mount.matchedPositionals()) {
            for (String value : parameter.originalStringValues()) {
                // the parameters of mount are all paths
                args.add(Path.of(value).toAbsolutePath().toString());
            }
        }
        return args;
    }
}
