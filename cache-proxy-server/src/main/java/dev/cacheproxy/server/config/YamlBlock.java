package dev.cacheproxy.server.config;

import dev.cacheproxy.core.config.ConfigBlock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link ConfigBlock} over a YAML mapping. Records every problem with its path and line, substitutes
 * {@code ${VAR}} and {@code ${VAR:-default}} in scalars, and remembers which keys were read so that
 * {@link #finish()} can report the rest as unknown (strict decoding).
 */
final class YamlBlock implements ConfigBlock {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private final YamlNode.Mapping node;
    private final String path;
    /** The line that introduces this block (its key, or its list item): where "missing" problems point. */
    private final int declaredAt;
    private final ConfigProblems problems;
    private final Map<String, String> env;
    private final Set<String> read = new HashSet<>();
    private final List<YamlBlock> children = new ArrayList<>();

    YamlBlock(YamlNode.Mapping node, String path, int declaredAt, ConfigProblems problems, Map<String, String> env) {
        this.node = node;
        this.path = path;
        this.declaredAt = declaredAt;
        this.problems = problems;
        this.env = env;
    }

    /** Wraps {@code n} as a block, or records that a mapping was expected. */
    static Optional<YamlBlock> of(YamlNode n, String path, int declaredAt, ConfigProblems problems,
            Map<String, String> env) {
        if (n instanceof YamlNode.Mapping m) {
            return Optional.of(new YamlBlock(m, path, declaredAt, problems, env));
        }
        if (n instanceof YamlNode.Scalar s && s.isNull()) {
            return Optional.of(new YamlBlock(new YamlNode.Mapping(new java.util.LinkedHashMap<>(),
                    new java.util.LinkedHashMap<>(), s.line()), path, declaredAt, problems, env));
        }
        problems.add(path, n.line(), "expected a mapping, got " + n.kind());
        return Optional.empty();
    }

    @Override
    public String path() {
        return path;
    }

    String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    int lineOf(String key) {
        Integer l = node.keyLines().get(key);
        return l != null ? l : declaredAt;
    }

    Set<String> keys() {
        return node.entries().keySet();
    }

    YamlNode raw(String key) {
        read.add(key);
        return node.entries().get(key);
    }

    /** Marks a key as handled without reading it through a typed getter. */
    void markRead(String key) {
        read.add(key);
    }

    /** Reports every key of this block and its child blocks that nobody read. */
    void finish() {
        for (String k : new TreeSet<>(node.entries().keySet())) {
            if (!read.contains(k)) {
                problems.add(childPath(k), lineOf(k), "unknown key");
            }
        }
        children.forEach(YamlBlock::finish);
    }

    @Override
    public void error(String key, String message) {
        problems.add(childPath(key), lineOf(key), message);
    }

    @Override
    public void warn(String key, String message) {
        problems.warn(childPath(key), lineOf(key), message);
    }

    @Override
    public boolean has(String key) {
        YamlNode n = node.entries().get(key);
        return n != null && !(n instanceof YamlNode.Scalar s && s.isNull());
    }

    @Override
    public Optional<String> string(String key) {
        YamlNode n = raw(key);
        if (n == null || (n instanceof YamlNode.Scalar s0 && s0.isNull())) {
            return Optional.empty();
        }
        if (!(n instanceof YamlNode.Scalar s)) {
            error(key, "expected a single value, got " + n.kind());
            return Optional.empty();
        }
        return substitute(key, s.text());
    }

    private Optional<String> substitute(String key, String text) {
        if (!text.contains("${")) {
            return Optional.of(text);
        }
        Matcher m = VAR.matcher(text);
        StringBuilder sb = new StringBuilder();
        boolean ok = true;
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null || (value.isEmpty() && m.group(2) != null)) {
                value = m.group(3);
            }
            if (value == null) {
                error(key, "environment variable " + m.group(1) + " is not set (use ${" + m.group(1)
                        + ":-default} for a default)");
                ok = false;
                value = "";
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return ok ? Optional.of(sb.toString()) : Optional.empty();
    }

    @Override
    public Optional<String> requiredString(String key) {
        if (!node.entries().containsKey(key)) {
            read.add(key);
            problems.add(childPath(key), declaredAt, "missing (required)");
            return Optional.empty();
        }
        Optional<String> v = string(key);
        if (v.isPresent() && v.get().isBlank()) {
            error(key, "must not be empty");
            return Optional.empty();
        }
        if (v.isEmpty() && !has(key)) {
            error(key, "must not be empty");
        }
        return v.map(String::trim);
    }

    /** The items of a list value: empty when absent or null, reported when not a list. */
    private List<YamlNode> sequence(String key) {
        YamlNode n = raw(key);
        if (n == null || (n instanceof YamlNode.Scalar s && s.isNull())) {
            return List.of();
        }
        if (n instanceof YamlNode.Sequence seq) {
            return seq.items();
        }
        error(key, "expected a list, got " + n.kind());
        return List.of();
    }

    @Override
    public List<String> stringList(String key) {
        List<YamlNode> items = sequence(key);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
            if (item instanceof YamlNode.Scalar s && !s.isNull()) {
                substitute(key, s.text()).ifPresent(out::add);
            } else {
                problems.add(childPath(key) + "[" + i + "]", item.line(), "expected a single value, got " + item.kind());
            }
        }
        return out;
    }

    @Override
    public Optional<ConfigBlock> block(String key) {
        return child(key).map(b -> b);
    }

    Optional<YamlBlock> child(String key) {
        YamlNode n = raw(key);
        if (n == null) {
            return Optional.empty();
        }
        Optional<YamlBlock> b = of(n, childPath(key), lineOf(key), problems, env);
        b.ifPresent(children::add);
        return b;
    }

    @Override
    public List<ConfigBlock> blockList(String key) {
        return new ArrayList<>(children(key));
    }

    List<YamlBlock> children(String key) {
        List<YamlNode> items = sequence(key);
        List<YamlBlock> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
            of(item, childPath(key) + "[" + i + "]", item.line(), problems, env).ifPresent(b -> {
                children.add(b);
                out.add(b);
            });
        }
        return out;
    }
}
