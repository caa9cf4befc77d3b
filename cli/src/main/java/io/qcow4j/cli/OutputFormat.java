package io.qcow4j.cli;

/** {@code --output=human|json}; the constants are spelled as on the command line, so picocli's messages show them so. */
enum OutputFormat {
    human, json
}
