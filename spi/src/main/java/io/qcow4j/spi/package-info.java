/**
 * The public API of qcow4j: disk images opened through pluggable format providers.
 *
 * <p>{@link io.qcow4j.spi.Images#open(java.nio.file.Path)} probes every {@link io.qcow4j.spi.ImageFormatProvider}
 * found by {@link java.util.ServiceLoader} and returns an {@link io.qcow4j.spi.Image}: the guest's view of the disk,
 * readable at any position from any number of threads, with a block-status map that says where the data lives
 * without reading it.
 *
 * <p>Every problem with an image's content is reported as a subclass of {@link io.qcow4j.spi.ImageException}, itself a
 * checked {@link java.io.IOException}, whose message names the field, its value and the limit it broke.
 */
package io.qcow4j.spi;
