package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.upstream.UpstreamRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a mode asks of the engine for one client request, in four parts: who asks ({@link Client}),
 * what is fetched ({@link Fetch}), what the body must prove ({@link Verification}) and how errors are
 * worded ({@link ErrorStyle}), under a key and a {@link CacheRule}.
 *
 * <p>Modes build one with {@link #builder}: a new mode sets fields, it does not add engine branches.
 *
 * @param key the cache key inside the instance (a mode's own naming, e.g. the decoded path)
 * @param rule the effective policy
 */
public record CacheRequest(String key, CacheRule rule, Client client, Fetch fetch, Verification verification,
        ErrorStyle errors) {

    /**
     * The client's side.
     *
     * @param method GET or HEAD (as the client sent it)
     * @param headers the client's request headers (for bypassed ranges and validators)
     */
    public record Client(String method, Headers headers) {}

    /**
     * What is asked of the upstream.
     *
     * @param encodedPath the path below each upstream base, percent-encoded
     * @param rawQuery the query sent upstream (empty for none)
     * @param headers headers to send upstream (pass-headers, Accept); never credentials of the client
     * @param revalidationHeader null to revalidate with a conditional GET; otherwise a response header
     *     that names the content ({@code Docker-Content-Digest}): revalidation then sends a HEAD and keeps
     *     the stored copy when the header is unchanged, so only a change costs a GET (registries count
     *     GETs against rate limits, not HEADs)
     * @param absolute null, or one URL outside the upstream bases to fetch instead of {@code encodedPath}
     *     (sent only when the instance's {@code AllowedTargets} allow it)
     * @param keptHeaders response headers of the protocol stored with the entry and replayed on every hit
     *     (Turborepo's {@code x-artifact-tag} signature), beyond HTTP's own
     */
    public record Fetch(String encodedPath, String rawQuery, Headers headers, String revalidationHeader, URI absolute,
            URI preferred, List<String> keptHeaders) {
        public Fetch {
            keptHeaders = List.copyOf(keptHeaders);
        }

        /** This fetch as an upstream request with {@code method} and {@code headers} instead of its own. */
        public UpstreamRequest as(String method, Headers withHeaders) {
            return absolute != null ? UpstreamRequest.absolute(method, absolute, withHeaders)
                    : new UpstreamRequest(method, encodedPath, rawQuery, withHeaders, new byte[0], null, preferred);
        }
    }

    /**
     * What the body must prove before it is stored or served whole.
     *
     * @param expected digests the body must match (from metadata; may be empty)
     * @param checksumHeaders response headers that state the body's digest ({@code X-Checksum-Sha1} and
     *     the like, as Maven repositories send them), by header name; a stated digest is checked too
     *     (plain hex, or {@code algorithm:hex} as in {@code Docker-Content-Digest})
     * @param contentCheck what the body must look like when no digest vouches for it
     *     ({@link ContentCheck#NONE} for content of any shape)
     * @param fileCheck a check of the complete body before it is published ({@link FileCheck#NONE}: none)
     */
    public record Verification(List<Digest> expected, Map<String, DigestAlgorithm> checksumHeaders,
            ContentCheck contentCheck, FileCheck fileCheck) {
        public static final Verification NONE = new Verification(List.of(), Map.of(), ContentCheck.NONE, FileCheck.NONE);

        public Verification {
            expected = List.copyOf(expected);
            checksumHeaders = Map.copyOf(checksumHeaders);
        }

        /** {@link #expected} plus what the upstream's checksum headers state (malformed values are ignored). */
        public List<Digest> expectedWith(Headers response) {
            if (checksumHeaders.isEmpty()) {
                return expected;
            }
            List<Digest> all = new ArrayList<>(expected);
            checksumHeaders.forEach((header, algorithm) -> response.first(header).ifPresent(v -> {
                try {
                    String value = v.trim().toLowerCase(Locale.ROOT);
                    String prefix = algorithm.label() + ":";
                    all.add(new Digest(algorithm, value.startsWith(prefix) ? value.substring(prefix.length()) : value));
                } catch (IllegalArgumentException malformed) {
                    // not a digest of that algorithm: nothing stated
                }
            }));
            return all;
        }
    }

    /**
     * A request for {@code key} under {@code rule}, fetched as {@code encodedPath} below the upstream bases
     * (percent-encoded, see {@code RequestPath.encoded()}); everything else has a default (GET, no query,
     * no headers, nothing to verify beyond the length, plain-text errors) that the builder's methods change.
     */
    public static Builder builder(String key, CacheRule rule, String encodedPath) {
        return new Builder(key, rule, encodedPath);
    }

    public String method() {
        return client.method();
    }

    /** The digests the body must match, before any the upstream states in its headers. */
    public List<Digest> expected() {
        return verification.expected();
    }

    /**
     * The response headers this request's mode declared it depends on (its revalidation header, its
     * checksum headers), in lower case: stored and replayed with the entry, passed on bypass.
     */
    public List<String> declaredHeaders() {
        List<String> names = new ArrayList<>();
        if (fetch.revalidationHeader() != null) {
            names.add(fetch.revalidationHeader().toLowerCase(Locale.ROOT));
        }
        verification.checksumHeaders().keySet().forEach(h -> names.add(h.toLowerCase(Locale.ROOT)));
        fetch.keptHeaders().forEach(h -> names.add(h.toLowerCase(Locale.ROOT)));
        return names;
    }

    /** This request, with a plausibility check for bodies no digest vouches for. */
    public CacheRequest checkedAs(ContentCheck check) {
        return new CacheRequest(key, rule, client, fetch, new Verification(verification.expected(),
                verification.checksumHeaders(), check, verification.fileCheck()), errors);
    }

    /** Builds a {@link CacheRequest} field by field. */
    public static final class Builder {
        private final String key;
        private final CacheRule rule;
        private final String encodedPath;
        private String method = "GET";
        private String rawQuery = "";
        private Headers upstreamHeaders = Headers.EMPTY;
        private Headers clientHeaders = Headers.EMPTY;
        private List<Digest> expected = List.of();
        private Map<String, DigestAlgorithm> checksumHeaders = Map.of();
        private String revalidationHeader;
        private URI absolute;
        private URI preferred;
        private ContentCheck contentCheck = ContentCheck.NONE;
        private FileCheck fileCheck = FileCheck.NONE;
        private ErrorStyle errors = ErrorStyle.PLAIN;
        private List<String> keptHeaders = List.of();

        private Builder(String key, CacheRule rule, String encodedPath) {
            this.key = key;
            this.rule = rule;
            this.encodedPath = encodedPath;
        }

        /** The client's method (GET or HEAD) and headers (for bypassed ranges and validators). */
        public Builder client(String method, Headers headers) {
            this.method = method;
            this.clientHeaders = headers;
            return this;
        }

        /** The query sent upstream. */
        public Builder query(String rawQuery) {
            this.rawQuery = rawQuery;
            return this;
        }

        /** Headers sent upstream (Accept, pass_headers); never the client's credentials. */
        public Builder upstreamHeaders(Headers headers) {
            this.upstreamHeaders = headers;
            return this;
        }

        /** Digests the body must match (from metadata). */
        public Builder expect(List<Digest> digests) {
            this.expected = digests;
            return this;
        }

        /** Response headers that state the body's digest, by algorithm ({@code X-Checksum-Sha1: sha1}). */
        public Builder checksumHeaders(Map<String, DigestAlgorithm> headers) {
            this.checksumHeaders = headers;
            return this;
        }

        /**
         * Fetch {@code target}, a URL outside the upstream bases (a PyPI file on its files host), instead of
         * the encoded path; refused without a request unless the instance's {@code AllowedTargets} allow it.
         */
        /**
         * The configured upstream to ask first while its circuit is not open; a body another upstream serves
         * is labelled {@link dev.cacheproxy.core.http.CacheStatus#RESCUE}.
         */
        public Builder preferUpstream(URI base) {
            this.preferred = base;
            return this;
        }

        public Builder absolute(URI target) {
            this.absolute = target;
            return this;
        }

        /** Revalidate by a HEAD compared on this response header instead of a conditional GET. */
        public Builder revalidateBy(String header) {
            this.revalidationHeader = header;
            return this;
        }

        /** What a body no digest vouches for must look like. */
        public Builder check(ContentCheck check) {
            this.contentCheck = check;
            return this;
        }

        /** A check of the complete body before it is published. */
        public Builder checkFile(FileCheck check) {
            this.fileCheck = check;
            return this;
        }

        /** Response headers of the protocol to store with the entry and replay on hits. */
        public Builder keepHeaders(List<String> names) {
            this.keptHeaders = names;
            return this;
        }

        /** How the engine words its own errors for this request (plain text unless set). */
        public Builder errors(ErrorStyle style) {
            this.errors = style;
            return this;
        }

        public CacheRequest build() {
            return new CacheRequest(key, rule, new Client(method, clientHeaders),
                    new Fetch(encodedPath, rawQuery, upstreamHeaders, revalidationHeader, absolute, preferred, keptHeaders),
                    new Verification(expected, checksumHeaders, contentCheck, fileCheck), errors);
        }
    }
}
