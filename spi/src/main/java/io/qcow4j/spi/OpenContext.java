package io.qcow4j.spi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

import io.qcow4j.BackingChainException;
import io.qcow4j.FileReference;
import io.qcow4j.ImageLimitException;
import io.qcow4j.UnsafeImageException;

/**
 * The backing chain being opened, as its providers see it: the one way a provider reaches a file other than its
 * image. One context serves one call of {@link io.qcow4j.ImageFormats#open} and every provider it passes through, on
 * that call's thread; it is not thread-safe.
 *
 * <p>A provider whose image names a file asks for a {@link #reference} (QEMU's rules say where the name leads), then
 * hands it to {@link #backing} or {@link #openFile}, which ask the host's {@link io.qcow4j.FilePolicy} first. A
 * backing file the options do not follow is shown to the policy all the same, so that a host that refuses other files
 * refuses the image that names one.
 */
public interface OpenContext {

    /**
     * Where {@code name}, as {@code image} stores it, leads by QEMU's rules: a relative backing file or extent name
     * from the naming image's directory, a data file name or a name with the {@code file:} prefix from the current
     * directory (or next to the image where it is not there). A name QEMU reads through another protocol
     * ({@code nbd://}, {@code json:} options, which the provider that writes them must read itself) leads nowhere:
     * the reference's path is null, and opening it fails naming why.
     *
     * @param image the image naming the file
     * @param name the name as the image stores it
     * @param role what the file is to the image
     * @return where the name leads
     */
    FileReference reference(Path image, String name, FileReference.Role role);

    /**
     * For a name the provider has read itself to the name of a local file ({@code localName}), such as the file that
     * qcow2's {@code json:} options name: QEMU opens such a name from the current directory.
     *
     * @param image the image naming the file
     * @param name the name as the image stores it
     * @param role what the file is to the image
     * @param localName the local file's name that {@code name} stands for
     * @return where the local name leads
     */
    FileReference reference(Path image, String name, FileReference.Role role, String localName);

    /**
     * Asks the host's policy about a file the image names but will not be opened (the data file of an image that
     * fails for another reason, say), so that a host that refuses other files refuses the image first.
     *
     * @param reference the file the image names
     * @return the file the policy would open, or null where there is none
     * @throws UnsafeImageException when the policy refuses it
     */
    Path check(FileReference reference) throws IOException;

    /**
     * The backing file {@code reference} names: opened, with the provider named {@code format} (a format of
     * {@code "file"} reads the file as raw) or the provider whose probe claims it, where the options follow backing
     * files; else only shown to the host's policy, as {@code qemu-img info} names a backing file it does not open.
     *
     * @param reference the backing file
     * @param format the backing image's format, or null to probe it
     * @return the open backing image
     * @throws UnsafeImageException  when the host's policy refuses it
     * @throws BackingChainException when it is missing or unreadable, or the chain would loop
     * @throws ImageLimitException   when the chain would be deeper than the options allow
     */
    BackingFile backing(FileReference reference, String format) throws IOException;

    /**
     * Opens a file that holds the image's own data (an external data file, an extent), read-only: a regular file or
     * a block device.
     *
     * @param reference the file
     * @return the open file
     * @throws UnsafeImageException  when the host's policy refuses it
     * @throws BackingChainException when it is missing or unreadable
     */
    HostFile openFile(FileReference reference) throws IOException;

    /**
     * Counts {@code bytes} more of heap that {@code image} holds for {@code what} (a table read at open) against the
     * memory limit of the whole chain.
     *
     * @param image the image holding the memory
     * @param what the table, for the message
     * @param bytes the bytes it holds
     * @throws ImageLimitException when the chain's tables would then pass the limit
     */
    void charge(Path image, String what, long bytes) throws ImageLimitException;

    /**
     * One object of {@code type} for the whole chain, made by {@code factory} on first use: state that the images of
     * a chain may share because a thread reads one of them at a time (decompression buffers, say).
     *
     * @param <T> the object's type
     * @param type its class, the key
     * @param factory makes it on first use
     * @return the chain's one object of {@code type}
     */
    <T> T shared(Class<T> type, Supplier<? extends T> factory);
}
