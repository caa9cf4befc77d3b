package io.qcow4j.vdi;

import io.qcow4j.FormatOption;

/** What a host may tell the VDI provider. */
public final class VdiOptions {

    /**
     * The parent of a differencing VDI, which the image names by UUID only: a file name, relative to the image's
     * directory; a VDI named must carry the parent UUID (a file of another format, a converted copy, is read as it
     * is). Empty (the default): the parent is the image of that UUID found beside the image. It names the parent of
     * the first VDI of the chain only; a parent that is itself differencing finds its own by UUID.
     */
    public static final FormatOption<String> PARENT = FormatOption.of(VdiFormatProvider.NAME, "parent",
            String.class, "", name -> name != null && name.indexOf('\0') < 0, "a file name without NUL");

    private VdiOptions() {
    }
}
