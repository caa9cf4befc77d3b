/**
 * qcow4j: disk images for the JVM, read-only.
 *
 * <p>{@link io.qcow4j.Images#open(java.nio.file.Path)} probes the format of a file and returns an
 * {@link io.qcow4j.Image}: the guest's view of the disk, readable at any position from any number of threads, with a
 * block-status map that says where the data lives without reading it, and adapters to the JDK's
 * {@link java.nio.channels.SeekableByteChannel} and {@link java.io.InputStream}. {@link io.qcow4j.ImageFormats} is the
 * registry of format providers behind it, for hosts that choose their providers or class loader;
 * {@link io.qcow4j.OpenOptions} say how to open an image, and its {@link io.qcow4j.FilePolicy} which other files
 * (backing files, data files) its chain may open.
 *
 * <p>Every problem with an image's content is reported as a subclass of {@link io.qcow4j.ImageException}, itself a
 * checked {@link java.io.IOException}, whose message names the image, the field, its value and the limit it broke.
 */
package io.qcow4j;
