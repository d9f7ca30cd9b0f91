package dev.cacheproxy.core.path;

import java.nio.charset.StandardCharsets;

/** RFC 3986 percent-encoding of one path segment. */
public final class PercentEncoding {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PercentEncoding() {}

    /** Appends {@code segment} with every byte outside {@code pchar} (minus {@code /}) escaped. */
    public static void appendSegment(StringBuilder sb, String segment) {
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (isUnreservedOrSubDelim(c) || c == ':' || c == '@') {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
    }

    private static boolean isUnreservedOrSubDelim(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~'
                // sub-delims, except '+' and ';' and '=' and '&' which some upstreams read specially:
                // escaping them is always safe and keeps "plus+sign.txt" unambiguous.
                || c == '!' || c == '$' || c == '\'' || c == '(' || c == ')' || c == '*' || c == ',';
    }
}
