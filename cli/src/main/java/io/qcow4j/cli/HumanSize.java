package io.qcow4j.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Sizes as {@code qemu-img info} prints them: three significant digits and a binary unit ("1.25 MiB", "64 MiB"). */
final class HumanSize {

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private HumanSize() {
    }

    static String of(long bytes) {
        // qemu switches to the next unit once the number would reach 1000, not 1024
        double scaled = bytes / (1000.0 / 1024.0);
        int exponent = scaled < 1 ? 0 : Math.getExponent(scaled) + 1;
        int unit = (exponent - 1) / 10;
        double value = (double) bytes / (1L << (unit * 10));
        return threeDigits(value) + " " + UNITS[unit];
    }

    /** C's {@code %0.3g}: three significant digits, trailing zeros dropped. */
    static String threeDigits(double value) {
        if (value == 0) {
            return "0";
        }
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(3, RoundingMode.HALF_EVEN));
        int decimalExponent = rounded.precision() - rounded.scale() - 1;
        if (decimalExponent >= 3) {
            BigDecimal mantissa = rounded.movePointLeft(decimalExponent).stripTrailingZeros();
            return mantissa.toPlainString() + "e+" + String.format("%02d", decimalExponent);
        }
        return rounded.stripTrailingZeros().toPlainString();
    }
}
