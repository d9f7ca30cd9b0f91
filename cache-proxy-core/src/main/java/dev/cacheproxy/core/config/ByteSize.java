package dev.cacheproxy.core.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A byte count as written in the YAML: {@code 1048576}, {@code 512KiB}, {@code 8MiB}, {@code 2GiB}, {@code 10MB}. */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]i?b?|b)?");

    private ByteSize() {}

    /** A byte count as a person reads it: {@code 512 B}, {@code 1.5 MiB}, {@code 62.8 GiB}; unlimited for {@link Long#MAX_VALUE}. */
    public static String format(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "unlimited";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** @throws IllegalArgumentException with a message fit for a config error */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (expected e.g. 8MiB, 512KiB, 1GB or bytes)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        boolean binary = unit.contains("i");
        long base = binary ? 1024 : 1000;
        long factor = switch (unit.charAt(0)) {
            case 'k' -> base;
            case 'm' -> base * base;
            case 'g' -> base * base * base;
            case 't' -> base * base * base * base;
            default -> 1;
        };
        return Math.multiplyExact(n, factor);
    }
}
