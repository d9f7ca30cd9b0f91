package dev.cacheproxy.modes.pypi;

import java.io.IOException;
import java.io.Reader;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the anchors of a PEP 503 page as a stream: each {@code <a ...>text</a>} with its attributes
 * (names in lower case, values with character references decoded) and its text. Index pages are
 * machine-written and only their anchors carry meaning, so this reads tags, quoted and unquoted
 * attribute values and character references, and skips everything else (comments, scripts and other
 * tags included) without holding more than one tag in memory.
 */
final class HtmlAnchors {
    /** One anchor. */
    record Anchor(Map<String, String> attributes, String text) {}

    /** Receives anchors in document order. */
    @FunctionalInterface
    interface Sink {
        void anchor(Anchor a) throws IOException;
    }

    private static final int MAX_TAG = 64 * 1024;

    private final Reader in;
    private int peeked = -2;

    private HtmlAnchors(Reader in) {
        this.in = in;
    }

    static void read(Reader in, Sink sink) throws IOException {
        new HtmlAnchors(in).run(sink);
    }

    private void run(Sink sink) throws IOException {
        for (int c = next(); c >= 0; c = next()) {
            if (c != '<') {
                continue;
            }
            if (peek() == '!') {
                skipDeclaration();
                continue;
            }
            String tag = readTag();
            if (tag == null) {
                return;
            }
            String lower = tag.toLowerCase(Locale.ROOT);
            if (lower.equals("a") || lower.startsWith("a ") || lower.startsWith("a\t") || lower.startsWith("a\n")
                    || lower.startsWith("a\r")) {
                Map<String, String> attributes = attributes(tag.substring(1));
                sink.anchor(new Anchor(attributes, decode(readText()).strip()));
            }
        }
    }

    /** The rest of a tag after {@code <}, up to its {@code >} (quotes respected); null at the end of input. */
    private String readTag() throws IOException {
        StringBuilder sb = new StringBuilder();
        int quote = 0;
        for (int c = next(); c >= 0; c = next()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return sb.toString().strip();
            }
            if (sb.length() < MAX_TAG) {
                sb.append((char) c);
            }
        }
        return null;
    }

    /** The anchor's text, up to the next tag (its {@code </a>}, or whatever ends it). */
    private String readText() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = peek(); c >= 0 && c != '<'; c = peek()) {
            next();
            if (sb.length() < MAX_TAG) {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private void skipDeclaration() throws IOException {
        next(); // '!'
        if (peek() == '-') {
            // a comment: up to "-->"
            int dashes = 0;
            for (int c = next(); c >= 0; c = next()) {
                if (c == '>' && dashes >= 2) {
                    return;
                }
                dashes = c == '-' ? dashes + 1 : 0;
            }
            return;
        }
        for (int c = next(); c >= 0 && c != '>'; c = next()) {
            // <!DOCTYPE ...>
        }
    }

    private int next() throws IOException {
        if (peeked != -2) {
            int c = peeked;
            peeked = -2;
            return c;
        }
        return in.read();
    }

    private int peek() throws IOException {
        if (peeked == -2) {
            peeked = in.read();
        }
        return peeked;
    }

    /** Attributes of a tag's body (after its name). */
    static Map<String, String> attributes(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = body.length();
        while (i < n) {
            while (i < n && (Character.isWhitespace(body.charAt(i)) || body.charAt(i) == '/')) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(body.charAt(i)) && body.charAt(i) != '=' && body.charAt(i) != '/') {
                i++;
            }
            if (start == i) {
                break;
            }
            String name = body.substring(start, i).toLowerCase(Locale.ROOT);
            while (i < n && Character.isWhitespace(body.charAt(i))) {
                i++;
            }
            String value = "";
            if (i < n && body.charAt(i) == '=') {
                i++;
                while (i < n && Character.isWhitespace(body.charAt(i))) {
                    i++;
                }
                if (i < n && (body.charAt(i) == '"' || body.charAt(i) == '\'')) {
                    char q = body.charAt(i++);
                    int end = body.indexOf(q, i);
                    end = end < 0 ? n : end;
                    value = body.substring(i, end);
                    i = Math.min(n, end + 1);
                } else {
                    int vs = i;
                    while (i < n && !Character.isWhitespace(body.charAt(i))) {
                        i++;
                    }
                    value = body.substring(vs, i);
                }
            }
            out.putIfAbsent(name, decode(value));
        }
        return out;
    }

    /** Decodes character references: the named ones index pages use, and numeric ones. */
    static String decode(String s) {
        int amp = s.indexOf('&');
        if (amp < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        int i = 0;
        while (amp >= 0) {
            sb.append(s, i, amp);
            int semi = s.indexOf(';', amp);
            String ref = semi < 0 || semi - amp > 10 ? null : s.substring(amp + 1, semi);
            String decoded = ref == null ? null : reference(ref);
            if (decoded == null) {
                sb.append('&');
                i = amp + 1;
            } else {
                sb.append(decoded);
                i = semi + 1;
            }
            amp = s.indexOf('&', i);
        }
        return sb.append(s, i, s.length()).toString();
    }

    private static String reference(String ref) {
        switch (ref) {
            case "amp":
                return "&";
            case "lt":
                return "<";
            case "gt":
                return ">";
            case "quot":
                return "\"";
            case "apos":
                return "'";
            default:
                break;
        }
        try {
            if (ref.startsWith("#x") || ref.startsWith("#X")) {
                return Character.toString(Integer.parseInt(ref.substring(2), 16));
            }
            if (ref.startsWith("#")) {
                return Character.toString(Integer.parseInt(ref.substring(1)));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }
}
