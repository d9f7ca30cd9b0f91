package dev.cacheproxy.core.upstream;

import dev.cacheproxy.core.path.DotSegments;
import java.net.URI;
import java.util.Locale;

/**
 * The one place where a path below an upstream base becomes the URL that is fetched, for every mode and
 * for background work (Linux repository refreshes) alike, and the check that a URL stays below its base.
 *
 * <p>The check is made on the final, encoded URL and reads it the way a lenient upstream would: each
 * segment below the base is percent-decoded, split again at {@code /} and {@code \} (nginx and Python's
 * {@code http.server} decode {@code %2F}; Windows servers split at backslashes), and a {@code .} or
 * {@code ..} piece anywhere refuses the URL, as does one that a second decoding would produce
 * ({@code %252e%252e}). So no spelling of a dot segment ({@code ..}, {@code %2e%2e},
 * {@code ..%2F}, {@code %5C..}) ever leaves the process, whatever a mode built. Request paths are
 * refused with 400 long before this (see {@code RequestPath}); this is the last line, for code paths
 * that build URLs from stored or computed strings.
 */
public final class UpstreamTarget {
    private UpstreamTarget() {}

    /** A URL that would leave its upstream base; never sent. */
    public static final class OutsideBaseException extends IllegalArgumentException {
        OutsideBaseException(String message) {
            super(message);
        }
    }

    /**
     * {@code base} + {@code /} + {@code encodedPath} (+ {@code ?rawQuery}).
     *
     * @throws OutsideBaseException when the result is not below {@code base} (see class doc)
     */
    public static URI resolve(URI base, String encodedPath, String rawQuery) {
        String b = base.toString();
        StringBuilder sb = new StringBuilder(b.length() + encodedPath.length() + rawQuery.length() + 2);
        sb.append(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        if (!encodedPath.isEmpty()) {
            sb.append('/').append(encodedPath);
        }
        if (!rawQuery.isEmpty()) {
            sb.append('?').append(rawQuery);
        }
        URI target;
        try {
            target = URI.create(sb.toString());
        } catch (IllegalArgumentException e) {
            throw new OutsideBaseException("not a valid URL below the upstream base: " + e.getMessage());
        }
        if (!within(base, target)) {
            throw new OutsideBaseException("the path leaves the upstream base (a dot segment in some spelling)");
        }
        return target;
    }

    /** Whether {@code target} is {@code base} or below it, on the same scheme, host and port, with no dot segment. */
    public static boolean within(URI base, URI target) {
        if (!sameOrigin(base, target)) {
            return false;
        }
        String basePath = stripTrailingSlash(base.getRawPath() == null ? "" : base.getRawPath());
        String path = target.getRawPath() == null ? "" : target.getRawPath();
        if (!path.equals(basePath) && !path.equals(basePath + "/") && !path.startsWith(basePath + "/")) {
            return false;
        }
        return !hasDotSegment(path.substring(basePath.length()));
    }

    /**
     * Whether any segment of a raw path, decoded the lenient way (once, and once more for servers that
     * decode twice), is or hides {@code .} or {@code ..}.
     */
    static boolean hasDotSegment(String rawPath) {
        for (String raw : rawPath.split("/", -1)) {
            String once = DotSegments.decodeLeniently(raw);
            if (once == null || DotSegments.hasDotPiece(once)
                    || (once.indexOf('%') >= 0 && DotSegments.appearAfterDecoding(once))) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && b.getHost() != null
                && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT))
                && port(a) == port(b);
    }

    static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static String stripTrailingSlash(String p) {
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

}
