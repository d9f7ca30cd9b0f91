package dev.cacheproxy.core.upstream;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Credentials in upstream URLs ({@code https://user:secret@host/path}, as the Go project accepts them):
 * split off once, sent as HTTP Basic authentication to that upstream's own host, and never printed.
 * {@link #display} is the one redaction point every log line, status page, state file, metric and
 * error body goes through when it names an upstream.
 */
public final class UpstreamUrls {
    private UpstreamUrls() {}

    /** {@code url} without its user information. */
    public static URI withoutCredentials(URI url) {
        if (url.getRawUserInfo() == null) {
            return url;
        }
        StringBuilder sb = new StringBuilder(url.getScheme()).append("://")
                .append(url.getRawAuthority().substring(url.getRawUserInfo().length() + 1));
        if (url.getRawPath() != null) {
            sb.append(url.getRawPath());
        }
        if (url.getRawQuery() != null) {
            sb.append('?').append(url.getRawQuery());
        }
        return URI.create(sb.toString());
    }

    /** The user and password in a URL's user information (decoded); shown as {@code ***} when printed. */
    public record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[***]";
        }
    }

    /** The credentials in the user information of {@code url}, if it has any. */
    public static Optional<Credentials> credentials(URI url) {
        String info = url.getRawUserInfo();
        if (info == null || info.isEmpty()) {
            return Optional.empty();
        }
        int colon = info.indexOf(':');
        return Optional.of(new Credentials(decode(colon < 0 ? info : info.substring(0, colon)),
                colon < 0 ? "" : decode(info.substring(colon + 1))));
    }

    /** The {@code Authorization} value for the user information of {@code url}, if it has any. */
    public static Optional<String> basicAuthorization(URI url) {
        return credentials(url).map(c -> "Basic " + Base64.getEncoder()
                .encodeToString((c.user() + ":" + c.password()).getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code url} as it may be shown anywhere: without user information. */
    public static String display(URI url) {
        return withoutCredentials(url).toString();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
