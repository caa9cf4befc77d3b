/** VMware virtual disks (VMDK): {@code Images.open} finds the format through the service it provides. */
@SuppressWarnings("module")
module io.qcow4j.vmdk {
    requires transitive io.qcow4j;
    requires io.qcow4j.nativeaccess;
    requires static com.google.auto.service;

    exports io.qcow4j.vmdk;

    provides io.qcow4j.spi.ImageFormatProvider with io.qcow4j.vmdk.VmdkFormatProvider;
}
