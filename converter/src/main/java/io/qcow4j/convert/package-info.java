/**
 * Parallel, sparse conversion of any {@link io.qcow4j.Image} to a raw file or block device, as
 * {@code qemu-img convert -O raw} does.
 *
 * <p>{@link io.qcow4j.convert.Converter#convert} converts and waits; {@link io.qcow4j.convert.Converter#start}
 * returns a {@link io.qcow4j.convert.Conversion} to cancel or wait for. {@link io.qcow4j.convert.ConvertOptions} holds
 * the knobs (workers, segment and buffer sizes, zero detection, {@code -n}, sync, a
 * {@link io.qcow4j.convert.ProgressListener}). Every failure is a {@link io.qcow4j.convert.ConversionException} whose
 * message names the cause; a new target is deleted then, an existing one reported with
 * {@link io.qcow4j.convert.TargetIncompleteException}.
 */
package io.qcow4j.convert;
