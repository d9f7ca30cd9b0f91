package dev.cacheproxy.server.config;

import java.util.LinkedHashMap;
import java.util.List;

/** A parsed YAML node that remembers the line it started on, so that every error can name it. */
sealed interface YamlNode {
    int line();

    /** A short name of the node's kind for "expected X, got Y" messages. */
    String kind();

    record Mapping(LinkedHashMap<String, YamlNode> entries, LinkedHashMap<String, Integer> keyLines, int line)
            implements YamlNode {
        @Override
        public String kind() {
            return "a mapping";
        }
    }

    record Sequence(List<YamlNode> items, int line) implements YamlNode {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** A scalar as written; {@code isNull} for an empty value, {@code ~} or {@code null} (unquoted). */
    record Scalar(String text, boolean isNull, int line) implements YamlNode {
        @Override
        public String kind() {
            return isNull ? "nothing" : "'" + text + "'";
        }
    }
}
