package io.qcow4j.spi;

/** How strongly a provider claims a file after looking at its first bytes. */
public enum ProbeResult {
    /** The bytes are not this provider's format. */
    NOT_RECOGNIZED,
    /** The provider can read anything, but only as a last resort (the raw format). */
    FALLBACK,
    /** The bytes carry this provider's signature. */
    RECOGNIZED
}
