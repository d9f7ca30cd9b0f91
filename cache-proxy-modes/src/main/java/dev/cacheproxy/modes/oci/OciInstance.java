package dev.cacheproxy.modes.oci;

import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRequest;
import dev.cacheproxy.core.cache.ErrorStyle;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.path.RequestPath;
import dev.cacheproxy.core.upstream.UpstreamRequest;
import dev.cacheproxy.core.upstream.UpstreamUrls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running oci instance: the read side of the Distribution API in front of one registry.
 *
 * <p>Cache keys are {@code <repository>/<route>/<reference>}; a manifest by tag adds the negotiated
 * media types ({@link ManifestTypes}). Blobs are verified against their digest before they are
 * published, and a blob the shared store already holds (fetched for another repository or instance)
 * is served from it without asking the upstream. Manifests are awaited whole (they are small) so that
 * {@code Docker-Content-Digest} is always right; tags are revalidated with a HEAD that compares that
 * digest (see {@link CacheRequest#revalidationHeader}).
 */
final class OciInstance implements ModeInstance {
    private static final Logger LOG = LoggerFactory.getLogger(OciInstance.class);
    static final String DIGEST_HEADER = "Docker-Content-Digest";
    private static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
    private static final Map<String, DigestAlgorithm> DIGEST_STATED = Map.of(DIGEST_HEADER, DigestAlgorithm.SHA256);
    private static final Set<String> PUSH_METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final List<String> ROUTE_WORDS = List.of("/manifests/", "/blobs/", "/tags/", "/referrers/");

    private final String name;
    private final OciConfig config;
    private final CacheEngine engine;

    OciInstance(String name, OciConfig config, CacheEngine engine) {
        this.name = name;
        this.config = config;
        this.engine = engine;
    }

    /** Push methods are answered (with UNSUPPORTED) instead of a bare 405, so clients print why. */
    @Override
    public boolean accepts(String method, RequestPath path) {
        return PUSH_METHODS.contains(method) && !path.segments().isEmpty() && path.segments().get(0).equals("v2");
    }

    @Override
    public Route route(ProxyRequest request) {
        if (request.path().isEmpty()) {
            return Route.answer(ProxyResponse.Document.text(200, "cache-proxy: OCI registry cache '" + name + "' of "
                    + UpstreamUrls.display(config.basics().upstream()) + "\n" + clientSetup(request.publicBaseUrl()) + "\n"));
        }
        if (PUSH_METHODS.contains(request.method())) {
            return Route.answer(withApiVersion(OciErrors.unsupported("this registry is a read-only pull-through cache")));
        }
        return switch (OciRequest.parse(request.path())) {
            case OciRequest.Invalid i -> Route.answer(withApiVersion(OciErrors.error(i.status(), i.code(), i.message())));
            case OciRequest.Ping p -> Route.answer(withApiVersion(new ProxyResponse.Document(200,
                    Headers.of("Content-Type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8))));
            case OciRequest.Catalog c ->
                    Route.answer(withApiVersion(OciErrors.unsupported("the catalog is not offered by a pull-through cache")));
            case OciRequest.Upload u ->
                    Route.answer(withApiVersion(OciErrors.unsupported("this registry is a read-only pull-through cache")));
            case OciRequest.ManifestByTag m -> {
                CacheRequest req = tagRequest(request, m);
                yield Route.of(() -> engine.serveIfHot(req).map(r -> withApiVersion(withDigest(r, null))),
                        () -> withApiVersion(OciErrors.withoutChallenge(withDigest(engine.serveCompleteOrPassed(req), null))));
            }
            case OciRequest.ManifestByDigest m -> {
                CacheRequest req = digestRequest(request, m);
                yield Route.of(() -> engine.serveIfHot(req).map(r -> withApiVersion(withDigest(r, m.digest()))),
                        () -> withApiVersion(OciErrors.withoutChallenge(withDigest(engine.serveCompleteOrPassed(req), m.digest()))));
            }
            case OciRequest.Blob b -> Route.of(
                    () -> engine.serveIfHot(blobRequest(request, b)).map(r -> withApiVersion(withDigest(r, b.digest()))),
                    () -> withApiVersion(OciErrors.withoutChallenge(blob(request, b))));
            case OciRequest.Tags t -> Route.blocking(() -> withApiVersion(OciErrors.withoutChallenge(
                    engine.serve(listing(request, t.name(), t.name() + "/tags/list", OciErrors.NAME_UNKNOWN)))));
            case OciRequest.Referrers r -> Route.blocking(() -> withApiVersion(OciErrors.withoutChallenge(engine.serve(
                    listing(request, r.name(), r.name() + "/referrers/" + r.digest(), OciErrors.MANIFEST_UNKNOWN)))));
        };
    }

    @Override
    public int removeExpired(int batchSize, boolean dryRun) throws IOException {
        return engine.removeExpired(this::expiryOf, batchSize, dryRun);
    }

    /**
     * A refusal as a registry words it: {@code UNAUTHORIZED} or {@code DENIED} in the Distribution API's error
     * shape, with its API version header; a 401 challenges with Basic, which docker ({@code docker login}),
     * skopeo and containerd answer with the stored credentials (the password is the instance's token).
     */
    @Override
    public ProxyResponse refused(int status, String reason, String realm) {
        ProxyResponse.Document d = OciErrors.error(status, status == 401 ? "UNAUTHORIZED" : status == 429 ? "TOOMANYREQUESTS"
                : "DENIED", reason).withHeader(API_VERSION_HEADER, "registry/2.0");
        return status == 401 ? d.withHeader("WWW-Authenticate", "Basic realm=\"" + realm + "\"") : d;
    }

    @Override
    public String clientSetup(String publicUrl) {
        String hostPort = config.displayUrl().orElse(publicUrl).replaceFirst("^https?://", "").replaceAll("/+$", "");
        return "docker pull " + hostPort + "/<repository>:<tag>   (or dockerd --registry-mirror="
                + config.displayUrl().orElse(publicUrl) + ")";
    }

    // ---- routes ---------------------------------------------------------------------------------

    private ProxyResponse blob(ProxyRequest request, OciRequest.Blob b) {
        CacheRequest req = blobRequest(request, b);
        if (req.rule().policy() != CachePolicy.BYPASS && b.digest().algorithm() == DigestAlgorithm.SHA256) {
            try {
                engine.adopt(req.key(), b.digest(), Map.of("content-type", "application/octet-stream",
                        "docker-content-digest", b.digest().toString()));
            } catch (IOException e) {
                LOG.warn("[{}] could not index the stored blob {}: {}", name, b.digest(), e.toString());
            }
        }
        if (request.isHead() && req.rule().policy() != CachePolicy.BYPASS
                && engine.storedBlob(req.key(), req.rule().expireAfter()).isEmpty()) {
            // a HEAD (a client checking for a layer) must not pull the whole layer: ask the upstream
            return withDigest(engine.forward(new UpstreamRequest("HEAD", req.fetch().encodedPath(), "", Headers.EMPTY),
                    OciErrors.BLOB_UNKNOWN),
                    b.digest());
        }
        return withDigest(engine.serve(req), b.digest());
    }

    private CacheRequest tagRequest(ProxyRequest request, OciRequest.ManifestByTag m) {
        List<String> accepted = ManifestTypes.accepted(request.headers().all("Accept"));
        String variant = accepted.stream().map(t -> Integer.toString(ManifestTypes.KNOWN.indexOf(t)))
                .collect(Collectors.joining(","));
        Headers upstream = accepted.isEmpty() ? Headers.EMPTY : Headers.of("Accept", String.join(", ", accepted));
        return CacheRequest.builder(m.name() + "/manifests/" + m.tag() + "#" + variant, config.tagRule(m.name()),
                request.path().encoded()).client(request.method(), request.headers()).upstreamHeaders(upstream)
                .checksumHeaders(DIGEST_STATED).revalidateBy(DIGEST_HEADER).errors(OciErrors.MANIFEST_UNKNOWN).build();
    }

    private CacheRequest digestRequest(ProxyRequest request, OciRequest.ManifestByDigest m) {
        return CacheRequest.builder(m.name() + "/manifests/" + m.digest(), config.digestRule(m.name()),
                request.path().encoded()).client(request.method(), request.headers())
                .upstreamHeaders(Headers.of("Accept", ManifestTypes.ALL)).expect(List.of(m.digest()))
                .errors(OciErrors.MANIFEST_UNKNOWN).build();
    }

    private CacheRequest blobRequest(ProxyRequest request, OciRequest.Blob b) {
        return CacheRequest.builder(b.name() + "/blobs/" + b.digest(), config.digestRule(b.name()),
                request.path().encoded()).client(request.method(), request.headers()).expect(List.of(b.digest()))
                .errors(OciErrors.BLOB_UNKNOWN).build();
    }

    private CacheRequest listing(ProxyRequest request, String repository, String keyBase, ErrorStyle errors) {
        String query = request.rawQuery();
        return CacheRequest.builder(keyBase + (query.isEmpty() ? "" : "?" + query), config.listingRule(repository),
                request.path().encoded()).client(request.method(), request.headers()).query(query)
                .upstreamHeaders(Headers.of("Accept", "application/json, " + ManifestTypes.OCI_INDEX)).errors(errors).build();
    }

    // ---- headers --------------------------------------------------------------------------------

    /**
     * Sets {@code Docker-Content-Digest} on a manifest or blob: the digest asked for, or for a stored
     * manifest by tag the upstream's value, else the stored bytes' own SHA-256 (which is the digest).
     * A manifest by tag the storage could not keep (full disk) is passed through as it streams, with the
     * upstream's {@code Docker-Content-Digest} (its body is verified against it as it is read); an upstream that
     * sends none has its manifest passed on without one, and clients take the digest of the body themselves.
     */
    private static ProxyResponse withDigest(ProxyResponse r, Digest known) {
        return switch (r) {
            case ProxyResponse.Stored s -> {
                String digest = known != null ? known.toString()
                        : s.headers().first(DIGEST_HEADER).orElse(s.blob().digest().toString());
                yield s.withHeaders(s.headers().with(DIGEST_HEADER, digest));
            }
            case ProxyResponse.Filling f when known != null -> f.withHeaders(f.headers().with(DIGEST_HEADER, known.toString()));
            case ProxyResponse.Streamed s when known != null && s.status() == 200 ->
                    s.withHeaders(s.headers().with(DIGEST_HEADER, known.toString()));
            default -> r;
        };
    }

    private static ProxyResponse withApiVersion(ProxyResponse r) {
        return r.mapHeaders(h -> h.with(API_VERSION_HEADER, "registry/2.0"));
    }

    /** The {@code expire_after} of the rule for the repository a key belongs to. */
    private Expiration expiryOf(String key) {
        int end = -1;
        for (String word : ROUTE_WORDS) {
            end = Math.max(end, key.lastIndexOf(word));
        }
        return end > 0 ? config.tagRule(key.substring(0, end)).expireAfter() : config.basics().expireAfter();
    }
}
