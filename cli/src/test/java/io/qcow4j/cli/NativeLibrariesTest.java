package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NativeLibrariesTest {

    @Test
    void namesEachLibrarysFolderInItsOwnSpelling() {
        assertThat(NativeLibraries.folders("amd64", "Linux")).containsExactly("jni/x86_64-Linux/", "linux/amd64/");
        assertThat(NativeLibraries.folders("aarch64", "Linux")).containsExactly("jni/aarch64-Linux/",
                "linux/aarch64/");
    }

    @Test
    void knowsNoFolderForOtherMachines() {
        // the launcher then passes no library paths, and each library copies itself out as it would anyway
        assertThat(NativeLibraries.folders("amd64", "Mac OS X")).isEmpty();
        assertThat(NativeLibraries.folders("ppc64le", "Linux")).isEmpty();
    }
}
