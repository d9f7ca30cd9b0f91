package dev.cacheproxy.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.function.Consumer;

/** Upstream URLs as the configuration accepts them: absolute http(s), no dot segments, trailing slashes dropped. */
public final class HttpUrls {
    private HttpUrls() {}

    /** {@code text} as a URL, or empty with the problem passed to {@code problem} (credentials never shown). */
    public static Optional<URI> parse(String text, Consumer<String> problem) {
        String t = text.trim();
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            URI u = new URI(t);
            if (u.isAbsolute() && u.getHost() != null
                    && (u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https"))) {
                if (u.getRawPath() != null && !u.normalize().getRawPath().equals(u.getRawPath())) {
                    problem.accept("'" + redacted(text) + "' has a dot segment in its path; write the path it means");
                    return Optional.empty();
                }
                return Optional.of(u);
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        problem.accept("'" + redacted(text) + "' is not an absolute http(s) URL");
        return Optional.empty();
    }

    /** A URL as an error message may show it: user information (credentials) replaced by {@code ***}. */
    static String redacted(String url) {
        return url.replaceFirst("//[^/@]*@", "//***@");
    }
}
