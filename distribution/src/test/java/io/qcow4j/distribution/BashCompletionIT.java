package io.qcow4j.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.distribution.Unpacked.Run;

/**
 * The bash completion the archive ships, sourced into bash as a user's shell would, completes subcommands and
 * options: the function it registers for {@code qcow2} is called as bash calls it on TAB.
 */
class BashCompletionIT {

    /** Sources the script, then calls the function it registered for qcow2 as bash does on TAB. */
    private static final String COMPLETE = """
            source "$1"; shift
            function=$(complete -p qcow2 | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')
            COMP_WORDS=("$@")
            COMP_CWORD=$(( $# - 1 ))
            COMP_LINE="$*"
            COMP_POINT=${#COMP_LINE}
            "$function"
            printf '%s\\n' "${COMPREPLY[@]}"
            """;

    @TempDir
    static Path dir;

    private static Path script;

    @BeforeAll
    static void unpack() throws Exception {
        script = Unpacked.tarGz(dir).resolve("completion/qcow2.bash");
    }

    @Test
    void completesSubcommands() throws Exception {
        assertThat(complete("qcow2", "")).containsExactly("info", "map", "read", "convert", "create", "measure", "mount", "help");
        assertThat(complete("qcow2", "m")).containsExactlyInAnyOrder("map", "measure", "mount");
    }

    @Test
    void completesOptions() throws Exception {
        assertThat(complete("qcow2", "convert", "--s")).contains("--sync", "--segment-size", "--safe")
                .allMatch(option -> option.startsWith("--s"));
        assertThat(complete("qcow2", "mount", "--a")).containsExactly("--allow-other");
        assertThat(complete("qcow2", "info", "--output", "")).containsExactlyInAnyOrder("human", "json");
    }

    /** The words bash would offer for the command line {@code words}, whose last word is being typed. */
    private static List<String> complete(String... words) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "-c", COMPLETE, "complete", script.toString()));
        command.addAll(List.of(words));
        Run run = Unpacked.run(dir, Map.of(), command.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
        return run.out().lines().filter(line -> !line.isEmpty()).toList();
    }
}
