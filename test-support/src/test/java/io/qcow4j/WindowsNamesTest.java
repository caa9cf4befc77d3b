package io.qcow4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.qcow4j.spi.FileNames;

/** The names a parent name written on Windows may be found under here, for every kind of name Windows writes. */
class WindowsNamesTest {

    @Test
    void relativeNamesGoThroughTheirBackslashesThenTheirFileNameBesideTheImage() {
        assertThat(FileNames.windowsNames(".\\parent.vhdx")).containsExactly("parent.vhdx", "parent.vhdx");
        assertThat(FileNames.windowsNames("parent.vhd")).containsExactly("parent.vhd", "parent.vhd");
        assertThat(FileNames.windowsNames("..\\base\\base.vmdk")).containsExactly("../base/base.vmdk", "base.vmdk");
    }

    @Test
    void absoluteNamesGiveTheirFileNameThenTheirFolderBesideTheImagesFolder() {
        assertThat(FileNames.windowsNames("C:\\VMs\\parent.vhdx")).containsExactly("parent.vhdx", "../VMs/parent.vhdx");
        assertThat(FileNames.windowsNames("d:/VMs/base/parent.vhd"))
                .containsExactly("parent.vhd", "../base/parent.vhd");
        assertThat(FileNames.windowsNames("C:\\parent.vhd")).containsExactly("parent.vhd");
        assertThat(FileNames.windowsNames("\\\\?\\Volume{26a21bda-a627-11d7-9931-806e6f6e6963}\\VMs\\parent.vhdx"))
                .containsExactly("parent.vhdx", "../VMs/parent.vhdx");
        assertThat(FileNames.windowsNames("\\\\?\\Volume{26a21bda-a627-11d7-9931-806e6f6e6963}\\parent.vhdx"))
                .containsExactly("parent.vhdx");
        assertThat(FileNames.windowsNames("\\\\server\\share\\parent.vhdx")).containsExactly("parent.vhdx",
                "../share/parent.vhdx");
        // a drive's current directory: "C:parent.vhd"
        assertThat(FileNames.windowsNames("C:parent.vhd")).containsExactly("parent.vhd");
    }

    @Test
    void noNameGivesNone() {
        assertThat(FileNames.windowsNames(null)).isEmpty();
        assertThat(FileNames.windowsNames("")).isEmpty();
    }
}
