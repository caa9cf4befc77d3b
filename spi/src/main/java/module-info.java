/**
 * qcow4j's API ({@code io.qcow4j}: images, the provider registry, open options, file policies) and the SPI its
 * format providers implement ({@code io.qcow4j.spi}). No dependencies.
 */
module io.qcow4j {
    exports io.qcow4j;
    exports io.qcow4j.spi;

    uses io.qcow4j.spi.ImageFormatProvider;
}
