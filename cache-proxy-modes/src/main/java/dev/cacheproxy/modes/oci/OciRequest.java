package dev.cacheproxy.modes.oci;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.path.RequestPath;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Distribution API routes a pull-through cache answers, parsed from the request path. Repository
 * names may have several segments ({@code library/alpine}, {@code team/app/api}); the route word is
 * found from the end, so a repository may itself contain a segment called {@code blobs} or
 * {@code manifests}. Names, tags and digests are checked against the distribution spec's grammar.
 */
sealed interface OciRequest {
    /** {@code /v2/}: the API version check. */
    record Ping() implements OciRequest {}

    /** {@code /v2/_catalog}: not offered by a pull-through cache. */
    record Catalog() implements OciRequest {}

    /** {@code /v2/<name>/manifests/<tag>}. */
    record ManifestByTag(String name, String tag) implements OciRequest {}

    /** {@code /v2/<name>/manifests/<digest>}. */
    record ManifestByDigest(String name, Digest digest) implements OciRequest {}

    /** {@code /v2/<name>/blobs/<digest>}. */
    record Blob(String name, Digest digest) implements OciRequest {}

    /** {@code /v2/<name>/tags/list}. */
    record Tags(String name) implements OciRequest {}

    /** {@code /v2/<name>/referrers/<digest>}. */
    record Referrers(String name, Digest digest) implements OciRequest {}

    /** {@code /v2/<name>/blobs/uploads/...}: push, not offered. */
    record Upload(String name) implements OciRequest {}

    /** A request that names no route: {@code code} and {@code message} say why, for an OCI error. */
    record Invalid(int status, String code, String message) implements OciRequest {}

    /** Raised inside the parser where a route is refused; {@link #parse} returns it as {@link Invalid}. */
    final class Refused extends Exception {
        private final transient Invalid invalid;

        Refused(int status, String code, String message) {
            super(message, null, false, false);
            this.invalid = new Invalid(status, code, message);
        }
    }

    /** From the distribution spec: lower-case components separated by {@code .}, {@code _}, {@code __} or dashes. */
    Pattern NAME_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
    Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    /** The route {@code path} names, or {@link Invalid} saying why it names none; never throws. */
    static OciRequest parse(RequestPath path) {
        try {
            return route(path);
        } catch (Refused r) {
            return r.invalid;
        }
    }

    private static OciRequest route(RequestPath path) throws Refused {
        List<String> s = path.segments();
        if (s.isEmpty() || !s.get(0).equals("v2")) {
            throw new Refused(404, "NOT_FOUND", "not a registry API path (expected /v2/...)");
        }
        int n = s.size();
        if (n == 1) {
            return new Ping();
        }
        if (n == 2 && s.get(1).equals("_catalog")) {
            return new Catalog();
        }
        int uploads = s.indexOf("uploads");
        if (uploads >= 3 && s.get(uploads - 1).equals("blobs")) {
            return new Upload(name(s.subList(1, uploads - 1)));
        }
        if (n < 4) {
            throw new Refused(404, "NOT_FOUND", "unknown registry API path");
        }
        String word = s.get(n - 2);
        String last = s.get(n - 1);
        List<String> nameSegments = s.subList(1, n - 2);
        return switch (word) {
            case "manifests" -> last.contains(":")
                    ? new ManifestByDigest(name(nameSegments), digest(last, "MANIFEST_INVALID"))
                    : new ManifestByTag(name(nameSegments), tag(last));
            case "blobs" -> new Blob(name(nameSegments), digest(last, "DIGEST_INVALID"));
            case "referrers" -> new Referrers(name(nameSegments), digest(last, "DIGEST_INVALID"));
            case "tags" -> {
                if (!last.equals("list")) {
                    throw new Refused(404, "NOT_FOUND", "unknown registry API path");
                }
                yield new Tags(name(nameSegments));
            }
            default -> throw new Refused(404, "NOT_FOUND", "unknown registry API path");
        };
    }

    private static String name(List<String> segments) throws Refused {
        if (segments.isEmpty()) {
            throw new Refused(400, "NAME_INVALID", "missing repository name");
        }
        for (String c : segments) {
            if (!NAME_COMPONENT.matcher(c).matches()) {
                throw new Refused(400, "NAME_INVALID", "invalid repository name component '" + c + "'");
            }
        }
        String name = String.join("/", segments);
        if (name.length() > 255) {
            throw new Refused(400, "NAME_INVALID", "repository name longer than 255 characters");
        }
        return name;
    }

    private static String tag(String t) throws Refused {
        if (!TAG.matcher(t).matches()) {
            throw new Refused(400, "MANIFEST_INVALID", "invalid tag '" + t + "'");
        }
        return t;
    }

    private static Digest digest(String d, String code) throws Refused {
        try {
            Digest digest = Digest.parse(d);
            if (digest.algorithm() != DigestAlgorithm.SHA256 && digest.algorithm() != DigestAlgorithm.SHA512) {
                throw new IllegalArgumentException("unsupported algorithm " + digest.algorithm());
            }
            if (!d.equals(digest.toString())) {
                throw new IllegalArgumentException("digests are lower case");
            }
            return digest;
        } catch (IllegalArgumentException e) {
            throw new Refused(400, code, "invalid digest '" + d + "': " + e.getMessage());
        }
    }
}
