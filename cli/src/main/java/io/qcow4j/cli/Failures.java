package io.qcow4j.cli;

import java.io.PrintStream;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** Reports failures the way the command line promises: one line, exit 1; usage errors exit 2. */
final class Failures implements IExecutionExceptionHandler, IParameterExceptionHandler {

    static final int FAILED = 1;
    static final int USAGE = 2;

    private final PrintStream err;

    Failures(PrintStream err) {
        this.err = err;
    }

    @Override
    public int handleExecutionException(Exception failure, CommandLine command, ParseResult parseResult) {
        Object user = command.getCommand();
        if (user instanceof ImageCommand image) {
            report(image.subject(), image.common().debug(), failure);
        } else {
            report(null, false, failure);
        }
        return FAILED;
    }

    void report(String subject, boolean debug, Throwable failure) {
        err.println(ErrorLine.of(subject, failure));
        if (debug) {
            failure.printStackTrace(err);
        }
        err.flush();
    }

    @Override
    public int handleParseException(ParameterException failure, String[] args) {
        CommandLine command = failure.getCommandLine();
        err.println("qcow2: " + failure.getMessage());
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return USAGE;
    }
}
