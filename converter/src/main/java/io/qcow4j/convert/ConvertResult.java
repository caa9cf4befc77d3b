package io.qcow4j.convert;

/**
 * What a finished conversion did.
 *
 * @param virtualSize  the source's virtual size, which is the target's size (an existing target may be larger)
 * @param bytesRead    guest bytes read from the source: the ranges its block status reports as data
 * @param bytesWritten bytes written to the target, zeros included where zeros had to be written
 * @param bytesZero    guest bytes found to read as zero (by block status or by zero detection), left as holes or
 *                     made zero in the target
 */
public record ConvertResult(long virtualSize, long bytesRead, long bytesWritten, long bytesZero) {
}
