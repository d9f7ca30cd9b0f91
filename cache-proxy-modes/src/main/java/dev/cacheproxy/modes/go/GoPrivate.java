package dev.cacheproxy.modes.go;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * GOPRIVATE patterns, matched as the go command matches them ({@code module.MatchPrefixPatterns}): each
 * pattern is a glob ({@code path.Match} syntax) matched against the leading path elements of the module
 * path, as many as the pattern has. {@code *.corp.example.com} matches {@code git.corp.example.com/x/y}.
 */
final class GoPrivate {
    static final GoPrivate NONE = new GoPrivate(List.of());

    private record Pattern(int elements, PathMatcher matcher) {}

    private final List<Pattern> patterns;

    private GoPrivate(List<Pattern> patterns) {
        this.patterns = patterns;
    }

    /** @throws IllegalArgumentException for an empty or malformed pattern */
    static GoPrivate of(List<String> globs) {
        List<Pattern> out = new ArrayList<>();
        for (String g : globs) {
            String glob = g.strip();
            while (glob.endsWith("/")) {
                glob = glob.substring(0, glob.length() - 1);
            }
            if (glob.isEmpty() || glob.contains("{") || glob.contains("**")) {
                throw new IllegalArgumentException("'" + g + "' is not a GOPRIVATE pattern");
            }
            out.add(new Pattern(glob.split("/").length, FileSystems.getDefault().getPathMatcher("glob:" + glob)));
        }
        return new GoPrivate(List.copyOf(out));
    }

    /** Whether {@code modulePath} (unescaped) is private. */
    boolean matches(String modulePath) {
        String[] elements = modulePath.split("/");
        for (Pattern p : patterns) {
            if (elements.length >= p.elements()
                    && p.matcher().matches(Path.of(String.join("/", List.of(elements).subList(0, p.elements()))))) {
                return true;
            }
        }
        return false;
    }
}
