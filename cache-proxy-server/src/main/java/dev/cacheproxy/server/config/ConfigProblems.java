package dev.cacheproxy.server.config;

import java.util.ArrayList;
import java.util.List;

/** Every problem (and warning) found in one configuration, each with its YAML path and line. */
public final class ConfigProblems {
    /** One problem: {@code instances[2].npm.upstream (line 14): not an absolute http(s) URL}. */
    public record Problem(String path, int line, String message) {
        @Override
        public String toString() {
            String where = path.isEmpty() ? "" : path;
            if (line > 0) {
                where = where.isEmpty() ? "line " + line : where + " (line " + line + ")";
            }
            return where.isEmpty() ? message : where + ": " + message;
        }
    }

    private final List<Problem> problems = new ArrayList<>();
    private final List<Problem> warnings = new ArrayList<>();

    void add(String path, int line, String message) {
        problems.add(new Problem(path, line, message));
    }

    void warn(String path, int line, String message) {
        warnings.add(new Problem(path, line, message));
    }

    public List<Problem> warnings() {
        return List.copyOf(warnings);
    }

    public List<Problem> all() {
        return List.copyOf(problems);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }
}
