package io.qcow4j.qcow2;

import io.qcow4j.FormatOption;

/**
 * The qcow2 provider's own settings, set through {@link io.qcow4j.OpenOptions.Builder#set}; providers of other formats
 * ignore them:
 * <pre>{@code
 * OpenOptions options = OpenOptions.builder().set(Qcow2Options.L2_CACHE_SIZE, 32L << 20).build();
 * }</pre>
 */
public final class Qcow2Options {

    /**
     * The most memory each qcow2 image of a chain spends caching L2 tables, in bytes ({@code qemu-img}'s
     * {@code l2-cache-size}); 8 MiB by default, which maps 64 GiB of virtual disk at 64 KiB clusters (each 8-byte
     * entry maps one cluster).
     */
    public static final FormatOption<Long> L2_CACHE_SIZE = FormatOption.of(Qcow2FormatProvider.NAME,
            "l2-cache-size", Long.class, 8L << 20, bytes -> bytes >= 0, "of at least 0");

    private Qcow2Options() {
    }
}
