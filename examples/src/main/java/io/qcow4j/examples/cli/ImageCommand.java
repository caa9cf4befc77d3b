package io.qcow4j.examples.cli;

/** A subcommand as the error handler sees it: which file it works on, and whether to show stack traces. */
interface ImageCommand {

    /** The file an error line names when the error itself names none. */
    String subject();

    CommonOptions common();
}
