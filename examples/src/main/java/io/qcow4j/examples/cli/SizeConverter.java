package io.qcow4j.examples.cli;

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
            case 'B' -> 0;
            default -> -1;
        };
        String digits = shift < 0 ? text : text.substring(0, text.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
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

    private static TypeConversionException invalid(String value) {
        return new TypeConversionException(String.format(Locale.ROOT,
                "'%s' is not a size: use bytes, or a number with a K, M, G or T suffix (like 64K or 2M)", value));
    }
}
