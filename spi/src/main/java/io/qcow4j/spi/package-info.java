/**
 * The service provider interface: what a disk image format implements to plug into qcow4j, as
 * {@code java.nio.file.spi} is to {@code java.nio.file}.
 *
 * <p>A format is an {@link io.qcow4j.spi.ImageFormatProvider}, found by {@link java.util.ServiceLoader} or handed to
 * {@link io.qcow4j.ImageFormats#of}. It recognises its files ({@link io.qcow4j.spi.ProbeResult}) and opens them as
 * {@link io.qcow4j.Image}s; every other file an image names is opened through the {@link io.qcow4j.spi.OpenContext}
 * it is handed, which applies the host's {@link io.qcow4j.FilePolicy} and the chain's limits. {@link
 * io.qcow4j.spi.HostFile}, {@link io.qcow4j.spi.FileNames} and {@link io.qcow4j.spi.ImageErrors} are the pieces every
 * provider needs: positional reads that name the structure they read, names decoded as the JDK encodes file names,
 * and errors that name the image of the chain they are about.
 */
package io.qcow4j.spi;
