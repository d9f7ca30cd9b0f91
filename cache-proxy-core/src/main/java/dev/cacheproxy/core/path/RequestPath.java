package dev.cacheproxy.core.path;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request path that has been percent-decoded exactly once and checked for safety: the only place
 * in the product where raw request paths are normalised.
 *
 * <p>A path is a list of decoded segments. Empty segments ({@code //}) and {@code .} segments are
 * dropped; a {@code ..} segment (also when spelled {@code %2e%2e}), a NUL, a backslash, a malformed
 * percent escape or bytes that are not UTF-8 make {@link #parse} throw {@link InvalidPathException},
 * which the server answers with 400 before any mode sees the request.
 *
 * <p>Encoded slashes. A decoded segment may contain {@code /} (from {@code %2F}), and {@link #encoded()}
 * escapes it again. Upstreams disagree on what {@code %2F} means (nginx and most servers decode it and
 * then resolve dot segments; Apache refuses it), so such a segment is admitted only when every piece
 * between its slashes is a plain name: {@code ..%2F}, {@code %2F.%2F} or {@code a%2F%2Fb} are 400,
 * whatever the upstream would make of them. Whether a protocol has encoded slashes at all is the mode's
 * call ({@code ModeInstance.allowsEncodedSlash}: npm's {@code @scope%2fname}, a generic file server's
 * {@code group%2Fproject}); {@link #key()} keeps {@code a%2Fb} and {@code a/b} apart, since they are
 * two different upstream URLs.
 */
public final class RequestPath {
    private static final RequestPath ROOT = new RequestPath(List.of(), false);

    private final List<String> segments;
    private final boolean trailingSlash;

    private RequestPath(List<String> segments, boolean trailingSlash) {
        this.segments = List.copyOf(segments);
        this.trailingSlash = trailingSlash && !segments.isEmpty();
    }

    /** The empty path (the mount point itself). */
    public static RequestPath root() {
        return ROOT;
    }

    /**
     * Parses the raw (still percent-encoded) path of a request URI, without its query string.
     *
     * @throws InvalidPathException with a short reason fit for a 400 body
     */
    public static RequestPath parse(String rawPath) {
        if (rawPath.isEmpty() || rawPath.equals("/")) {
            return ROOT;
        }
        List<String> out = new ArrayList<>();
        int start = rawPath.charAt(0) == '/' ? 1 : 0;
        while (start <= rawPath.length()) {
            int slash = rawPath.indexOf('/', start);
            int end = slash < 0 ? rawPath.length() : slash;
            String segment = decode(rawPath, start, end);
            check(segment);
            if (!segment.isEmpty() && !segment.equals(".")) {
                out.add(segment);
            }
            if (slash < 0) {
                break;
            }
            start = slash + 1;
        }
        return new RequestPath(out, rawPath.endsWith("/"));
    }

    private static void check(String segment) {
        if (segment.equals("..")) {
            throw new InvalidPathException("path contains a '..' segment");
        }
        if (segment.indexOf('/') >= 0) {
            for (String piece : segment.split("/", -1)) {
                if (piece.isEmpty() || piece.equals(".") || piece.equals("..")) {
                    throw new InvalidPathException("an encoded slash (%2F) in the path hides an empty or dot segment");
                }
            }
        }
        if (segment.indexOf('%') >= 0 && DotSegments.appearAfterDecoding(segment)) {
            // %252e%252e: harmless to a server that decodes once, a climb to one that decodes twice
            throw new InvalidPathException("a double-encoded dot segment in the path");
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == 0) {
                throw new InvalidPathException("path contains a NUL byte");
            }
            if (c == '\\') {
                throw new InvalidPathException("path contains a backslash");
            }
        }
    }

    private static String decode(String raw, int from, int to) {
        int pct = raw.indexOf('%', from);
        if (pct < 0 || pct >= to) {
            return raw.substring(from, to);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= to) {
                    throw new InvalidPathException("malformed percent escape in path");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new InvalidPathException("malformed percent escape in path");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidPathException("path is not valid UTF-8");
        }
    }

    public List<String> segments() {
        return segments;
    }

    public boolean isEmpty() {
        return segments.isEmpty();
    }

    /** Whether the raw path ended in {@code /} (directory-style URLs). */
    public boolean trailingSlash() {
        return trailingSlash;
    }

    /** True when this path starts with every segment of {@code prefix}. */
    public boolean startsWith(RequestPath prefix) {
        return segments.size() >= prefix.segments.size()
                && segments.subList(0, prefix.segments.size()).equals(prefix.segments);
    }

    /** This path with its first {@code count} segments removed. */
    public RequestPath dropFirst(int count) {
        return new RequestPath(segments.subList(count, segments.size()), trailingSlash);
    }

    /**
     * The decoded segments joined with {@code /}, without a leading slash: the readable form modes classify.
     * It is one-to-one with the request only while no segment {@linkplain #hasEncodedSlash has an encoded
     * slash}; use {@link #key()} as a cache key where encoded slashes are admitted.
     */
    public String decoded() {
        return String.join("/", segments);
    }

    /** Whether a segment holds a {@code /} that arrived as {@code %2F}. */
    public boolean hasEncodedSlash() {
        for (String s : segments) {
            if (s.indexOf('/') >= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * A cache key for this path: {@link #decoded()}, except that inside a segment {@code %} is written
     * {@code %25} and {@code /} is written {@code %2F}. Two paths that reach different upstream URLs
     * ({@code a%2Fb} and {@code a/b}) therefore never share a key; a path without either character has
     * its readable form as key.
     */
    public String key() {
        StringBuilder sb = new StringBuilder();
        for (String s : segments) {
            if (!sb.isEmpty()) {
                sb.append('/');
            }
            sb.append(s.indexOf('%') < 0 && s.indexOf('/') < 0 ? s : s.replace("%", "%25").replace("/", "%2F"));
        }
        return sb.toString();
    }

    /** The segments percent-encoded again (RFC 3986 {@code pchar}), joined with {@code /}: the upstream-URL form. */
    public String encoded() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < segments.size(); i++) {
            if (i > 0) {
                sb.append('/');
            }
            PercentEncoding.appendSegment(sb, segments.get(i));
        }
        if (trailingSlash) {
            sb.append('/');
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestPath p && p.segments.equals(segments) && p.trailingSlash == trailingSlash;
    }

    @Override
    public int hashCode() {
        return segments.hashCode() * 31 + (trailingSlash ? 1 : 0);
    }

    @Override
    public String toString() {
        return "/" + encoded();
    }
}
