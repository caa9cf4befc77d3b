package io.qcow4j;

/**
 * An internal snapshot of an image, with the fields {@code qemu-img info} shows.
 *
 * @param id          the snapshot's id, as {@code qemu-img snapshot -l} prints it
 * @param name        its name
 * @param vmStateSize bytes of saved VM state
 * @param dateSec     when it was taken: seconds since the epoch
 * @param dateNsec    and nanoseconds
 * @param vmClockNsec the guest clock when it was taken, in nanoseconds
 * @param diskSize    the virtual disk size of the snapshot
 * @param icount      the guest instruction count, or -1 when the image does not record it
 */
public record SnapshotInfo(String id, String name, long vmStateSize, long dateSec, long dateNsec, long vmClockNsec,
                           long diskSize, long icount) {
}
