package dev.cacheproxy.modes.npm;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.CacheRequest;
import dev.cacheproxy.core.cache.ContentCheck;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.http.QualityList;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.path.InvalidPathException;
import dev.cacheproxy.core.path.PercentEncoding;
import dev.cacheproxy.core.path.RequestPath;
import dev.cacheproxy.core.upstream.UpstreamRequest;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running npm instance.
 *
 * <ul>
 *   <li>Packuments: the full document ({@code Accept: application/json}) and the abbreviated one
 *       ({@code application/vnd.npm.install-v1+json}) are separate entries, each fetched upstream with
 *       its own Accept (pitfall N1); served rewritten by {@link RenderedDocuments}.</li>
 *   <li>Version documents ({@code /<name>/<version>}): metadata, rewritten the same way.</li>
 *   <li>Tarballs: {@code tarball_policy}, verified against the packument's digests when known.</li>
 *   <li>Everything below {@code /-/} (ping, search, dist-tags, audit): forwarded, never stored; audit
 *       POSTs carry their body.</li>
 * </ul>
 */
final class NpmInstance implements ModeInstance {
    private static final Logger LOG = LoggerFactory.getLogger(NpmInstance.class);
    static final String ABBREVIATED = "application/vnd.npm.install-v1+json";
    /** What npm itself sends for abbreviated documents; one upstream Accept per cache entry. */
    private static final String ABBREVIATED_ACCEPT = ABBREVIATED + "; q=1.0, application/json; q=0.8, */*";
    private static final String FULL_ACCEPT = "application/json";
    /** Request headers an API call needs upstream (never credentials: see SharedBlocks). */
    private static final List<String> API_HEADERS = List.of("Accept", "Accept-Encoding", "Content-Type",
            "Content-Encoding", "npm-command");

    private final NpmConfig config;
    private final CacheEngine engine;
    private final RenderedDocuments documents;

    NpmInstance(NpmConfig config, CacheEngine engine, RenderedDocuments documents) {
        this.config = config;
        this.engine = engine;
        this.documents = documents;
    }

    @Override
    public boolean accepts(String method, RequestPath path) {
        // npm audit: POST /-/npm/v1/security/advisories/bulk (and the older audits/quick)
        List<String> s = path.segments();
        return method.equals("POST") && s.size() >= 4 && s.subList(0, 4).equals(List.of("-", "npm", "v1", "security"));
    }

    /** {@code @scope%2fname}, as npm sends scoped names; {@link NpmRequest} admits it nowhere else. */
    @Override
    public boolean allowsEncodedSlash() {
        return true;
    }

    @Override
    public Route route(ProxyRequest request) {
        return switch (NpmRequest.of(request.path())) {
            case NpmRequest.Invalid i -> Route.answer(NpmErrors.json(i.status(), i.reason()));
            case NpmRequest.Api a -> Route.blocking(() -> api(request));
            // the digests may be learned from a stored packument first, which reads the disk
            case NpmRequest.Tarball t -> Route.of(() -> engine.serveIfHot(tarball(request, t)), () -> {
                learnDigests(t);
                return engine.serve(tarball(request, t));
            });
            case NpmRequest.Packument p -> document(request, packument(request, p), PackumentRewriter.Shape.PACKUMENT);
            case NpmRequest.Version v -> document(request, version(request, v), PackumentRewriter.Shape.VERSION);
        };
    }

    @Override
    public int removeExpired(int batchSize, boolean dryRun) throws IOException {
        return engine.removeExpired(key -> config.basics().expireAfter(), batchSize, dryRun);
    }

    /** npm reads with POST too (its audit endpoints): nothing an npm client sends here writes. */
    @Override
    public boolean writes(String method) {
        return false;
    }

    /** npm prints the registry's {@code {"error": …}} and, on 401, asks for `npm login` or a token. */
    @Override
    public ProxyResponse refused(int status, String reason, String realm) {
        ProxyResponse.Document d = NpmErrors.json(status, reason);
        return status == 401 ? d.withHeader("WWW-Authenticate", "Basic realm=\"" + realm + "\"") : d;
    }

    @Override
    public String clientSetup(String publicUrl) {
        return "npm config set registry " + publicUrl + "/";
    }

    /** The normalised tarball path for a path below the mount, as {@link NpmRequest} derives it. */
    static Optional<String> tarballPath(String rawPathBelowMount) {
        try {
            return NpmRequest.of(RequestPath.parse(rawPathBelowMount)) instanceof NpmRequest.Tarball t
                    ? Optional.of(t.path())
                    : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    /**
     * When no packument served since start named this tarball's digests, the stored packuments of its
     * package may (after a restart, {@code npm ci} fetches tarballs only). A cheap no-op otherwise.
     */
    private void learnDigests(NpmRequest.Tarball t) {
        if (!documents.expectedFor(t.path()).isEmpty()) {
            return;
        }
        for (String variant : List.of("packument/full/", "packument/abbreviated/")) {
            Optional<BlobFile> stored = engine.storedBlob(variant + t.name(), config.basics().expireAfter());
            if (stored.isPresent()) {
                try {
                    documents.learnFrom(stored.get());
                } catch (IOException e) {
                    LOG.warn("[npm] could not read the stored packument of {}: {}", t.name(), e.toString());
                }
                if (!documents.expectedFor(t.path()).isEmpty()) {
                    return;
                }
            }
        }
    }

    private CacheRequest tarball(ProxyRequest r, NpmRequest.Tarball t) {
        return CacheRequest.builder("tarball/" + t.path(), config.tarballRule(), encode(t.path()))
                .client(r.method(), r.headers()).upstreamHeaders(Headers.of("Accept", "*/*"))
                .expect(documents.expectedFor(t.path())).check(ContentCheck.gzip("an npm tarball"))
                .errors(NpmErrors.STYLE).build();
    }

    private CacheRequest packument(ProxyRequest r, NpmRequest.Packument p) {
        boolean abbreviated = wantsAbbreviated(r.headers());
        String key = (abbreviated ? "packument/abbreviated/" : "packument/full/") + p.name()
                + (r.rawQuery().isEmpty() ? "" : "?" + r.rawQuery());
        // GET even for HEAD: the document is rewritten from its body; the writer answers HEAD from it
        return CacheRequest.builder(key, config.metadataRule(), encodeName(p.name())).client("GET", r.headers())
                .query(r.rawQuery()).upstreamHeaders(Headers.of("Accept", abbreviated ? ABBREVIATED_ACCEPT : FULL_ACCEPT))
                .errors(NpmErrors.STYLE).build();
    }

    private CacheRequest version(ProxyRequest r, NpmRequest.Version v) {
        StringBuilder path = new StringBuilder(encodeName(v.name())).append('/');
        PercentEncoding.appendSegment(path, v.spec());
        // the encoded path, so a version spelled with %3F never meets a query in the key
        String key = "version/" + path + (r.rawQuery().isEmpty() ? "" : "?" + r.rawQuery());
        return CacheRequest.builder(key, config.metadataRule(), path.toString()).client("GET", r.headers())
                .query(r.rawQuery()).upstreamHeaders(Headers.of("Accept", FULL_ACCEPT))
                .errors(NpmErrors.STYLE).build();
    }

    /**
     * A packument or version document: on the event loop when it is fresh and was rendered for this base
     * before, else fetched or revalidated as stored, then served rewritten.
     */
    private Route document(ProxyRequest r, CacheRequest req, PackumentRewriter.Shape shape) {
        return Route.of(() -> engine.serveIfHot(req).flatMap(hot -> hot instanceof ProxyResponse.Stored s
                        ? documents.serveIfRendered(s, shape, r.publicBaseUrl(), r.headers())
                        : Optional.<ProxyResponse>empty()),
                () -> render(r, req, shape));
    }

    private ProxyResponse render(ProxyRequest r, CacheRequest req, PackumentRewriter.Shape shape) {
        // a packument the storage cannot keep now is rewritten as it passes: a full disk does not stop installs
        ProxyResponse stored = engine.serveCompleteOrPassed(req);
        try {
            if (stored instanceof ProxyResponse.Stored s) {
                return documents.serve(s, shape, r.publicBaseUrl(), r.headers());
            }
            if (stored instanceof ProxyResponse.Streamed s && s.status() == 200) { // metadata_policy: bypass, or no room
                return documents.serveUnstored(s.body(), s.headers(), shape, r.publicBaseUrl(), r.headers());
            }
        } catch (JsonProcessingException e) {
            if (stored instanceof ProxyResponse.Stored) {
                // Not JSON after all: hand it over unchanged rather than fail the client (as the Go project does).
                LOG.warn("[npm] {} is not a JSON document ({}); served unchanged", req.key(), e.getOriginalMessage());
                return stored;
            }
            // a bypassed body was consumed by the attempt: nothing left to hand over
            LOG.warn("[npm] {} from the upstream is not a JSON document: {}", req.key(), e.getOriginalMessage());
            return NpmErrors.json(502, "the upstream answered a document that is not JSON");
        } catch (IOException e) {
            LOG.error("[npm] could not rewrite {}", req.key(), e);
            return NpmErrors.json(500, "could not rewrite the document: " + e.getMessage());
        }
        return stored;
    }

    private ProxyResponse api(ProxyRequest r) {
        Headers.Builder h = Headers.builder();
        for (String name : API_HEADERS) {
            r.headers().all(name).forEach(v -> h.add(name, v));
        }
        return engine.forward(new UpstreamRequest(r.method(), r.path().encoded(), r.rawQuery(), h.build(), r.body()),
                NpmErrors.STYLE);
    }

    /** Whether the client asked for the abbreviated document (npm, pnpm and yarn classic do when installing). */
    static boolean wantsAbbreviated(Headers client) {
        return QualityList.accepts(client.all("Accept"), ABBREVIATED);
    }

    /** {@code name} or {@code @scope%2fname}, as npm requests packuments. */
    private static String encodeName(String name) {
        StringBuilder sb = new StringBuilder();
        int slash = name.indexOf('/');
        if (slash < 0) {
            PercentEncoding.appendSegment(sb, name);
        } else {
            PercentEncoding.appendSegment(sb, name.substring(0, slash));
            sb.append("%2f");
            PercentEncoding.appendSegment(sb, name.substring(slash + 1));
        }
        return sb.toString();
    }

    private static String encode(String normalisedPath) {
        StringBuilder sb = new StringBuilder();
        for (String seg : normalisedPath.split("/")) {
            if (!sb.isEmpty()) {
                sb.append('/');
            }
            PercentEncoding.appendSegment(sb, seg);
        }
        return sb.toString();
    }
}
