package io.qcow4j.qcow2.write;

import java.math.BigInteger;

/**
 * Reads one value of a qemu option list as QEMU's option parser reads it (util/qemu-option.c and util/cutils.c), so
 * that a value qemu-img takes is taken with the same meaning, and one it refuses is refused with its message.
 */
final class QemuOptionValues {

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final String SIZE_SUFFIXES = "BKMGTPE";

    private QemuOptionValues() {
    }

    /**
     * A boolean, as QAPI spells them.
     *
     * @throws IllegalArgumentException for anything else
     */
    static boolean bool(String name, String value) {
        return switch (value) {
            case "on", "yes", "true", "y" -> true;
            case "off", "no", "false", "n" -> false;
            default -> throw new IllegalArgumentException("Parameter '" + name + "' expects 'on' or 'off'");
        };
    }

    /**
     * An unsigned 64-bit number as C's {@code strtoull} with base 0 reads it (leading blanks, a sign, {@code 0x} for
     * hexadecimal, a leading 0 for octal; a minus wraps around), with nothing after it.
     *
     * @return the number's 64 bits; read them unsigned
     * @throws IllegalArgumentException when it is not a number, or does not fit 64 bits
     */
    static long number(String name, String value) {
        Parsed parsed = strtoull(value, 0, 0);
        if (parsed == null || parsed.end != value.length()) {
            throw new IllegalArgumentException("Parameter '" + name + "' expects a number");
        }
        if (parsed.overflow) {
            throw new IllegalArgumentException("Value '" + value + "' is too large for parameter '" + name + "'");
        }
        return parsed.value.longValue();
    }

    /**
     * A byte count as QEMU's {@code qemu_strtosz} reads it: a decimal number, optionally with a fraction, or a
     * hexadecimal one, and an optional suffix of B, K, M, G, T, P or E (either case, powers of 1024); a fraction
     * needs a suffix other than B.
     *
     * @return the byte count's 64 bits; read them unsigned
     * @throws IllegalArgumentException when it is not a byte count, or is 2^64 or more
     */
    static long size(String name, String value) {
        BigInteger result = strtosz(value);
        if (result == null) {
            throw new IllegalArgumentException("Parameter '" + name + "' expects a non-negative number below 2^64\n"
                    + "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
                    + "and exabytes, respectively.");
        }
        if (result.compareTo(TWO_64) >= 0) {
            throw new IllegalArgumentException("Value '" + value + "' is out of range for parameter '" + name + "'");
        }
        return result.longValue();
    }

    /** The byte count, 2^64 or more when out of range, or null when the text is not one. */
    private static BigInteger strtosz(String text) {
        Parsed integral = strtoull(text, 0, 10);
        if (integral == null) {
            return null;
        }
        if (integral.overflow) {
            return TWO_64;
        }
        if (text.substring(0, integral.end).indexOf('-') >= 0) {
            return null;
        }
        BigInteger value = integral.value;
        int at = integral.end;
        double fraction = 0;
        if (value.signum() == 0 && at < text.length() && (text.charAt(at) == 'x' || text.charAt(at) == 'X')) {
            Parsed hex = strtoull(text, 0, 16);
            if (hex.overflow) {
                return TWO_64;
            }
            value = hex.value;
            at = hex.end;
            if (at < text.length() && text.charAt(at) == '.') {
                return null;
            }
        } else if (at < text.length() && text.charAt(at) == '.') {
            int digits = at + 1;
            while (digits < text.length() && isDigit(text.charAt(digits))) {
                digits++;
            }
            if (digits == at + 1) {
                // strtod finds no number in ".": QEMU steps over the point, so "1.k" is 1 KiB
                at++;
            } else if (hasExponent(text, digits)) {
                return null;
            } else {
                fraction = Double.parseDouble("0" + text.substring(at, digits));
                at = digits;
            }
        }
        long multiplier = 1;
        if (at < text.length()) {
            int suffix = SIZE_SUFFIXES.indexOf(Character.toUpperCase(text.charAt(at)));
            if (suffix >= 0) {
                multiplier = 1L << (10 * suffix);
                at++;
            }
        }
        if (at != text.length()) {
            return null;
        }
        // QEMU's 64.64 fixed point: the fraction's 64 bits, times the multiplier, rounded half up
        BigInteger fractionBits = new java.math.BigDecimal(fraction).multiply(new java.math.BigDecimal(TWO_64))
                .toBigInteger();
        if (multiplier == 1) {
            return fractionBits.signum() == 0 ? value : null;
        }
        BigInteger mul = BigInteger.valueOf(multiplier);
        BigInteger fractionProduct = fractionBits.multiply(mul);
        BigInteger result = value.multiply(mul).add(fractionProduct.shiftRight(64));
        if (fractionProduct.testBit(63)) {
            result = result.add(BigInteger.ONE);
        }
        return result;
    }

    private static boolean hasExponent(String text, int at) {
        if (at >= text.length() || (text.charAt(at) != 'e' && text.charAt(at) != 'E')) {
            return false;
        }
        int next = at + 1;
        if (next < text.length() && (text.charAt(next) == '+' || text.charAt(next) == '-')) {
            next++;
        }
        return next < text.length() && isDigit(text.charAt(next));
    }

    /** What {@code strtoull} read: its value modulo 2^64, whether it overflowed, where it stopped. */
    private record Parsed(BigInteger value, boolean overflow, int end) {
    }

    /**
     * C's {@code strtoull(text + from, &end, base)} for base 0, 10 or 16; null when no digits are found.
     */
    private static Parsed strtoull(String text, int from, int base) {
        int at = from;
        while (at < text.length() && isCSpace(text.charAt(at))) {
            at++;
        }
        boolean negative = false;
        if (at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
            negative = text.charAt(at) == '-';
            at++;
        }
        int radix = base;
        boolean hexPrefix = at + 2 <= text.length() && text.charAt(at) == '0'
                && (text.charAt(at + 1) == 'x' || text.charAt(at + 1) == 'X')
                && at + 2 < text.length() && Character.digit(text.charAt(at + 2), 16) >= 0;
        if ((base == 0 || base == 16) && hexPrefix) {
            radix = 16;
            at += 2;
        } else if (base == 0) {
            radix = at < text.length() && text.charAt(at) == '0' ? 8 : 10;
        }
        int start = at;
        BigInteger value = BigInteger.ZERO;
        BigInteger big = BigInteger.valueOf(radix);
        while (at < text.length() && text.charAt(at) < 128 && Character.digit(text.charAt(at), radix) >= 0) {
            value = value.multiply(big).add(BigInteger.valueOf(Character.digit(text.charAt(at), radix)));
            at++;
        }
        if (at == start) {
            return null;
        }
        boolean overflow = value.compareTo(TWO_64) >= 0;
        if (negative && !overflow) {
            value = TWO_64.subtract(value).mod(TWO_64);
        }
        return new Parsed(value, overflow, at);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** C's {@code isspace} in the C locale. */
    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }
}
