package dev.cacheproxy.core.path;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * How a lenient server reads one path segment: percent-decoded, then split again at {@code /} and
 * {@code \}. Used on the way in ({@link RequestPath}: a decoded segment must not turn into a dot segment
 * when a second server decodes it again) and on the way out ({@code UpstreamTarget}: the URL we send
 * must not hold a dot segment in any spelling).
 */
public final class DotSegments {
    private DotSegments() {}

    /**
     * Whether {@code text}, percent-decoded once more, holds a {@code .} or {@code ..} piece. Text that is
     * not a valid escape sequence ({@code 100%}) decodes to nothing and hides no dot segment.
     */
    public static boolean appearAfterDecoding(String text) {
        String decoded = decodeLeniently(text);
        return decoded != null && hasDotPiece(decoded);
    }

    /**
     * Whether {@code text}, split at {@code /} and {@code \}, has a piece that is {@code .} or {@code ..}. A scan,
     * not {@code String.split}: a character class is a regex, compiled anew on every call, and this runs for
     * every segment of every upstream URL.
     */
    public static boolean hasDotPiece(String text) {
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '/' || text.charAt(i) == '\\') {
                int length = i - start;
                if ((length == 1 || length == 2) && text.charAt(start) == '.' && text.charAt(i - 1) == '.') {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** Percent-decodes once; null when an escape is malformed or a NUL appears. */
    public static String decodeLeniently(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw.indexOf('\0') >= 0 ? null : raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
