package io.qcow4j.cli;

import java.util.Locale;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a byte count as {@code qemu-img} accepts it: plain bytes, or a number with a K, M, G or T suffix (powers of 1024). */
final class SizeConverter implements ITypeConverter<Long> {

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    static long parse(String value) {
        String text = value.trim();
        if (text.isEmpty()) {
            throw invalid(value);
        }
        int shift = switch (Character.toUpperCase(text.charAt(text.length() - 1))) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            case 'P' -> 50;
            case 'E' -> 60;
            case 'B' -> 0;
            default -> -1;
        };
        String digits = shift < 0 ? text : text.substring(0, text.length() - 1);
        if (!allDigits(digits)) {
            throw invalid(value);
        }
        try {
            long number = Long.parseLong(digits);
            int unit = Math.max(shift, 0);
            if (number > (Long.MAX_VALUE >> unit)) {
                throw invalid(value);
            }
            return number << unit;
        } catch (NumberFormatException e) {
            throw invalid(value);
        }
    }

    /** A loop, not a stream: every convert parses three sizes before its first byte, and a stream costs it time. */
    private static boolean allDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return false;
            }
        }
        return !text.isEmpty();
    }

    private static TypeConversionException invalid(String value) {
        return new TypeConversionException(String.format(Locale.ROOT,
                "'%s' is not a size: use bytes, or a number with a K, M, G or T suffix (like 64K or 2M)", value));
    }
}
