package io.qcow4j;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * A setting that belongs to one format's provider, such as the qcow2 provider's L2 cache size, carried by
 * {@link OpenOptions} to every provider of a backing chain and read only by the one that defines it. A provider
 * publishes its options as constants:
 * <pre>{@code
 * OpenOptions options = OpenOptions.builder().set(Qcow2Options.L2_CACHE_SIZE, 32L << 20).build();
 * }</pre>
 *
 * <p>Two options are the same when they name the same format and setting; the constant is the one place that says
 * which values are valid.
 *
 * @param <T> the type of the option's value
 */
public final class FormatOption<T> {

    private final String format;
    private final String name;
    private final Class<T> type;
    private final T defaultValue;
    private final Predicate<? super T> valid;
    private final String validValues;

    private FormatOption(String format, String name, Class<T> type, T defaultValue, Predicate<? super T> valid,
                         String validValues) {
        this.format = Objects.requireNonNull(format, "format");
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.valid = Objects.requireNonNull(valid, "valid");
        this.validValues = Objects.requireNonNull(validValues, "validValues");
        this.defaultValue = check(defaultValue);
    }

    /**
     * An option of the provider named {@code format}.
     *
     * @param <T> the value's type
     * @param format the provider's name, as {@link io.qcow4j.spi.ImageFormatProvider#name()}
     * @param type the value's class
     * @return the option
     * @param name         the setting's name, as a command line would spell it ({@code "l2-cache-size"})
     * @param defaultValue what the provider uses when the host sets nothing; must itself be valid
     * @param valid        which values the provider accepts
     * @param validValues  those values in words, for the message that refuses another ({@code "at least 0"})
     */
    public static <T> FormatOption<T> of(String format, String name, Class<T> type, T defaultValue,
                                         Predicate<? super T> valid, String validValues) {
        return new FormatOption<>(format, name, type, defaultValue, valid, validValues);
    }

    /**
     * The name of the provider that reads this option.
     *
     * @return the provider's name
     */
    public String format() {
        return format;
    }

    /**
     * The setting's name, as a command line would spell it.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The class of the option's values.
     *
     * @return the class
     */
    public Class<T> type() {
        return type;
    }

    /**
     * What the provider uses when the host sets nothing.
     *
     * @return the default value
     */
    public T defaultValue() {
        return defaultValue;
    }

    /**
     * {@code value} when this option accepts it.
     *
     * @throws IllegalArgumentException naming the option and what it accepts, when it does not
     */
    T check(Object value) {
        if (!type.isInstance(value) || !valid.test(type.cast(value))) {
            throw new IllegalArgumentException("invalid value " + value + " for the " + this + " option: expected "
                    + type.getSimpleName() + " " + validValues);
        }
        return type.cast(value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FormatOption<?> option && option.format.equals(format) && option.name.equals(name);
    }

    @Override
    public int hashCode() {
        return format.hashCode() * 31 + name.hashCode();
    }

    /** {@code format.name}, as {@code qcow2.l2-cache-size}. */
    @Override
    public String toString() {
        return format + "." + name;
    }
}
