package io.qcow4j.cli;

import picocli.CommandLine.IVersionProvider;

/** The version the jar's manifest records. */
final class Version implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Version.class.getPackage().getImplementationVersion();
        return new String[] {"qcow2 (qcow4j) " + (version == null ? "development build" : version)};
    }
}
