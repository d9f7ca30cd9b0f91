package dev.cacheproxy.server.config;

import java.util.List;

/** The configuration has problems; {@link #problems()} lists every one. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<ConfigProblems.Problem> problems;

    public ConfigException(List<ConfigProblems.Problem> problems) {
        super(problems.size() + " problem(s) in the configuration");
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblems.Problem> problems() {
        return problems;
    }
}
