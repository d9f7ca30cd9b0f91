package dev.cacheproxy.core.config;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * A doublestar glob over a relative path ({@code *} within a segment, {@code **} across segments,
 * {@code ?}, {@code [..]}, {@code {a,b}}), matched by the JDK's glob {@link PathMatcher}. The JDK's
 * {@code **}{@code /} needs at least one directory where doublestar allows none ({@code **}{@code /*.tgz}
 * matches {@code a.tgz}); each such occurrence is therefore also tried with it removed.
 */
public final class Glob {
    private final String pattern;
    private final List<PathMatcher> variants;

    private Glob(String pattern, List<PathMatcher> variants) {
        this.pattern = pattern;
        this.variants = variants;
    }

    /** @throws IllegalArgumentException when the pattern is not a valid glob */
    public static Glob compile(String pattern) {
        if (pattern.isBlank()) {
            throw new IllegalArgumentException("empty pattern");
        }
        Set<String> forms = new LinkedHashSet<>();
        expand(pattern.startsWith("/") ? pattern.substring(1) : pattern, forms);
        try {
            return new Glob(pattern, forms.stream()
                    .map(f -> FileSystems.getDefault().getPathMatcher("glob:" + f)).toList());
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(e.getDescription() + " in '" + pattern + "'");
        }
    }

    private static void expand(String p, Set<String> out) {
        if (!out.add(p)) {
            return;
        }
        for (int i = p.indexOf("**/"); i >= 0; i = p.indexOf("**/", i + 1)) {
            if (i == 0 || p.charAt(i - 1) == '/') {
                expand(p.substring(0, i) + p.substring(i + 3), out);
            }
        }
    }

    public boolean matches(String relativePath) {
        Path p = Path.of(relativePath.isEmpty() ? "." : relativePath);
        for (PathMatcher m : variants) {
            if (m.matches(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
