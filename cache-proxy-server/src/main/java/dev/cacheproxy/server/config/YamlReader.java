package dev.cacheproxy.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reads YAML text into {@link YamlNode}s with line numbers, using Jackson's YAML parser token by
 * token (Jackson's own tree model drops locations). Duplicate keys are reported, not silently merged.
 */
final class YamlReader {
    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    private final ConfigProblems problems;

    YamlReader(ConfigProblems problems) {
        this.problems = problems;
    }

    /** Returns the document root, or null (with a problem recorded) when the text is not valid YAML. */
    YamlNode read(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new YamlNode.Mapping(new LinkedHashMap<>(), new LinkedHashMap<>(), 1);
            }
            return node(p, t, "");
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            int line = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe && jpe.getLocation() != null
                    ? jpe.getLocation().getLineNr() : 0;
            problems.add("", line, "not valid YAML: " + msg);
            return null;
        }
    }

    private YamlNode node(JsonParser p, JsonToken t, String path) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        switch (t) {
            case START_OBJECT -> {
                LinkedHashMap<String, YamlNode> entries = new LinkedHashMap<>();
                LinkedHashMap<String, Integer> keyLines = new LinkedHashMap<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String key = p.currentName();
                    int keyLine = p.currentTokenLocation().getLineNr();
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    YamlNode value = node(p, p.nextToken(), childPath);
                    if (entries.containsKey(key)) {
                        problems.add(childPath, keyLine, "duplicate key");
                    }
                    entries.put(key, value);
                    keyLines.put(key, keyLine);
                }
                return new YamlNode.Mapping(entries, keyLines, line);
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                for (JsonToken i = p.nextToken(); i != JsonToken.END_ARRAY; i = p.nextToken()) {
                    items.add(node(p, i, path + "[" + items.size() + "]"));
                }
                return new YamlNode.Sequence(items, line);
            }
            case VALUE_NULL -> {
                return new YamlNode.Scalar("", true, line);
            }
            default -> {
                return new YamlNode.Scalar(p.getText(), false, line);
            }
        }
    }
}
