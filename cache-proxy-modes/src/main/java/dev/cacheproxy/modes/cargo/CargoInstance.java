package dev.cacheproxy.modes.cargo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.CacheRequest;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.render.RenderedVariants;
import dev.cacheproxy.core.upstream.UpstreamRequest;
import dev.cacheproxy.core.upstream.UpstreamUrls;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running cargo instance.
 *
 * <ul>
 *   <li>{@code config.json}: the upstream's, revalidated like an index file, served with {@code dl}
 *       pointing at {@code <proxy>/api/v1/crates} (cargo appends {@code /{crate}/{version}/download}),
 *       {@code api} at the proxy when the upstream has one, and {@code auth-required} when configured; as
 *       a rendered variant (own ETag, plain and gzip).</li>
 *   <li>Index files: {@code index_*}, revalidated with the upstream's validators; cargo's conditional
 *       requests get 304 from the stored copy; 404/410 pass as "no such crate".</li>
 *   <li>Downloads: fetched from the upstream's own {@code dl} template, verified against the
 *       {@code cksum} of the version's line in the stored index file, stored by crate and version. With the
 *       storage full, the index file and {@code config.json} a download needs are read as they pass, unkept;
 *       an index that cannot be read is a 502/503/504, never a 404.</li>
 * </ul>
 */
final class CargoInstance implements ModeInstance {
    private static final Logger LOG = LoggerFactory.getLogger(CargoInstance.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the upstream's config.json says, as last read. */
    private record UpstreamConfig(DownloadTemplate dl, Optional<URI> api) {}

    private final CargoConfig config;
    private final CacheEngine engine;
    private final DownloadTargets targets;
    private final BlobStore store;
    private final RenderedVariants configs;
    private final URI upstream;
    private final AtomicReference<UpstreamConfig> upstreamConfig = new AtomicReference<>();

    CargoInstance(CargoConfig config, CacheEngine engine, DownloadTargets targets, BlobStore store) {
        this.config = config;
        this.engine = engine;
        this.targets = targets;
        this.store = store;
        this.configs = new RenderedVariants(store, "no-cache", "Accept-Encoding");
        URI base = UpstreamUrls.withoutCredentials(config.basics().upstream());
        this.upstream = base.toString().endsWith("/") ? base : URI.create(base + "/");
    }

    /**
     * Refused by the instance's access rules: cargo's own challenge on 401 ({@code WWW-Authenticate: Cargo}, so
     * cargo says to set a token for this registry); set {@code auth_required: true} too, so that
     * {@code config.json} tells cargo to send its token with every request.
     */
    @Override
    public ProxyResponse refused(int status, String reason, String realm) {
        ProxyResponse.Document d = ProxyResponse.Document.text(status, reason + "\n");
        return status == 401 ? d.withHeader("WWW-Authenticate", "Cargo") : d;
    }

    @Override
    public Route route(ProxyRequest request) {
        if (config.authRequired() && request.headers().first("Authorization").filter(v -> !v.isBlank()).isEmpty()) {
            return Route.answer(new ProxyResponse.Document(401, Headers.of("WWW-Authenticate",
                    "Cargo login_url=\"" + request.publicBaseUrl() + "/me\"", "Content-Type", "text/plain; charset=utf-8"),
                    "this registry requires a token (auth-required)\n".getBytes()));
        }
        return switch (CargoRequest.of(request.path())) {
            case CargoRequest.Invalid i -> Route.answer(ProxyResponse.Document.text(i.status(), i.reason() + "\n"));
            case CargoRequest.Config c -> configJson(request);
            case CargoRequest.Index i -> Route.cached(engine, index(request, i.name()));
            case CargoRequest.Download d -> download(request, d);
            case CargoRequest.Api a -> Route.blocking(() -> api(request, a));
        };
    }

    private CacheRequest configRequest(ProxyRequest request) {
        return CacheRequest.builder("config.json", config.indexRule(), "config.json").client("GET", request.headers())
                .build();
    }

    private CacheRequest index(ProxyRequest request, String name) {
        String path = IndexFile.path(name);
        return CacheRequest.builder("index/" + path, config.indexRule(), path).client(request.method(), request.headers())
                .build();
    }

    private Route configJson(ProxyRequest request) {
        CacheRequest req = configRequest(request);
        String base = request.publicBaseUrl();
        RenderedVariants.Rewrite rewrite = (in, out) -> JSON.writeValue(out, rewritten(JSON.readTree(in), base));
        return Route.of(() -> engine.serveIfHot(req).flatMap(hot -> hot instanceof ProxyResponse.Stored s
                        ? configs.serveIfRendered(s, "config", base, request.headers()) : Optional.<ProxyResponse>empty()),
                () -> {
                    // a config.json the storage cannot keep now is rewritten as it passes: a full disk stops no build
                    ProxyResponse stored = engine.serveCompleteOrPassed(req);
                    try {
                        if (stored instanceof ProxyResponse.Streamed passed && passed.status() == 200) {
                            return configs.serveUnstored(passed.body(), passed.headers(), request.headers(), rewrite);
                        }
                        if (!(stored instanceof ProxyResponse.Stored s)) {
                            return stored;
                        }
                        return configs.serve(s, "config", base, request.headers(), rewrite);
                    } catch (IOException e) {
                        LOG.warn("[cargo] the upstream's config.json is not readable: {}", e.toString());
                        return ProxyResponse.Document.text(502, "the upstream's config.json is not readable\n");
                    }
                });
    }

    /** The upstream's config.json with {@code dl} and {@code api} under {@code publicBase}; learns the upstream's. */
    private JsonNode rewritten(JsonNode upstreamJson, String publicBase) throws IOException {
        if (!(upstreamJson instanceof ObjectNode doc) || !upstreamJson.path("dl").isTextual()) {
            throw new IOException("config.json without a dl template");
        }
        learn(doc);
        ObjectNode out = doc.deepCopy();
        out.put("dl", publicBase + "/api/v1/crates");
        if (doc.path("api").isTextual()) {
            out.put("api", publicBase);
        }
        if (config.authRequired()) {
            out.put("auth-required", true);
        }
        return out;
    }

    private UpstreamConfig learn(JsonNode doc) throws IOException {
        String template = doc.path("dl").asText();
        if (!template.startsWith("http://") && !template.startsWith("https://")) {
            throw new IOException("config.json's dl is not an absolute http(s) URL template: " + template);
        }
        DownloadTemplate dl = new DownloadTemplate(template);
        Optional<URI> api = doc.path("api").isTextual() ? Optional.of(base(upstream.resolve(doc.path("api").asText())))
                : Optional.empty();
        List<URI> allowed = new ArrayList<>();
        allowed.add(dl.base());
        api.ifPresent(allowed::add);
        targets.allow(allowed);
        UpstreamConfig c = new UpstreamConfig(dl, api);
        upstreamConfig.set(c);
        return c;
    }

    /** The upstream's config.json as last read, reading the stored (or fetching the) document when none was. */
    private Optional<UpstreamConfig> upstreamConfig(ProxyRequest request) {
        UpstreamConfig c = upstreamConfig.get();
        if (c != null) {
            return Optional.of(c);
        }
        try {
            if (!(read(configRequest(request)) instanceof ReadDocument.Body b)) {
                return Optional.empty();
            }
            try (InputStream in = b.in()) {
                return Optional.of(learn(JSON.readTree(in)));
            }
        } catch (IOException e) {
            LOG.warn("[cargo] the upstream's config.json is not readable: {}", e.toString());
            return Optional.empty();
        }
    }

    private Route download(ProxyRequest request, CargoRequest.Download d) {
        String key = "crates/" + d.crate() + "/" + d.version();
        CacheRequest hit = CacheRequest.builder(key, config.crateRule(), "").client(request.method(), request.headers())
                .build();
        return Route.of(() -> engine.serveIfHot(hit), () -> {
            Listed listed = checksum(request, d);
            if (listed instanceof Listed.Unreadable u) {
                return u.answer(); // the index could not be read: never a 404
            }
            if (!(listed instanceof Listed.Sum cksum)) {
                return ProxyResponse.Document.text(404, "not found: " + d.crate() + " " + d.version()
                        + " is not in the index\n");
            }
            Optional<UpstreamConfig> c = upstreamConfig(request);
            if (c.isEmpty()) {
                return ProxyResponse.Document.text(502, "the upstream's config.json is not available\n")
                        .withHeaders(Headers.of("Content-Type", "text/plain; charset=utf-8", "Retry-After", "5"));
            }
            URI target = c.get().dl().expand(d.crate(), d.version(), cksum.sha256());
            // below the upstream URL, the upstream client sends it with the upstream's credentials or token
            return engine.serve(CacheRequest.builder(key, config.crateRule(), "").absolute(target).client(request.method(), request.headers())
                    .expect(List.of(Digest.sha256(cksum.sha256()))).build());
        });
    }

    /** The {@code cksum} of the version's line in the index file: the stored one, else fetched. */
    /** A document this instance reads for itself (an index file, config.json): its body, that it is absent, or the failure. */
    private sealed interface ReadDocument {
        /** To read once and close. */
        record Body(InputStream in) implements ReadDocument {}

        record Absent() implements ReadDocument {}

        /** {@code answer}: what to tell the client instead (502/503/504, never a 404). */
        record Failed(ProxyResponse answer) implements ReadDocument {}
    }

    /**
     * The stored (revalidated) copy of {@code req}'s document; when the storage is full and cannot keep it, the
     * upstream's passed through, verified as it is read, and not kept: a full disk must not turn new crates into
     * 404s or 502s.
     */
    private ReadDocument read(CacheRequest req) throws IOException {
        ProxyResponse complete = engine.serveCompleteOrPassed(req);
        if (complete instanceof ProxyResponse.Stored s) {
            return new ReadDocument.Body(store.open(s.blob().digest()));
        }
        if (complete instanceof ProxyResponse.Streamed passed) {
            if (passed.status() == 200) {
                return new ReadDocument.Body(passed.body());
            }
            passed.body().close();
        }
        if (complete.status() == 404 || complete.status() == 410) {
            return new ReadDocument.Absent();
        }
        return new ReadDocument.Failed(complete.status() >= 500 ? complete
                : ProxyResponse.Document.text(502, "the upstream answered " + complete.status() + " for " + req.key() + "\n"));
    }

    /** What the index says of one version: its checksum, that it does not list it, or that it could not be read. */
    private sealed interface Listed {
        record Sum(String sha256) implements Listed {}

        record NotListed() implements Listed {}

        /** {@code answer}: the failure to give the client (502/503/504), never a 404. */
        record Unreadable(ProxyResponse answer) implements Listed {}
    }

    private Listed checksum(ProxyRequest request, CargoRequest.Download d) {
        CacheRequest req = index(request, d.crate().toLowerCase(Locale.ROOT));
        Optional<BlobFile> stored = engine.storedBlob(req.key(), config.basics().expireAfter());
        try {
            if (stored.isPresent()) {
                try (InputStream in = store.open(stored.get().digest())) {
                    Optional<String> sum = IndexFile.checksum(in, d.version());
                    if (sum.isPresent()) {
                        return new Listed.Sum(sum.get());
                    }
                }
            }
            // not stored, or stored before this version was published: ask (revalidate) once
            switch (read(req)) {
                case ReadDocument.Body b -> {
                    try (InputStream in = b.in()) {
                        return listed(IndexFile.checksum(in, d.version()));
                    }
                }
                case ReadDocument.Absent a -> {
                    return new Listed.NotListed();
                }
                case ReadDocument.Failed f -> {
                    return new Listed.Unreadable(f.answer());
                }
            }
        } catch (IOException e) {
            LOG.warn("[cargo] could not read the index file of {}: {}", d.crate(), e.toString());
            return new Listed.Unreadable(ProxyResponse.Document.text(502, "the index file of " + d.crate()
                    + " could not be read\n"));
        }
    }

    private static Listed listed(Optional<String> sum) {
        return sum.<Listed>map(Listed.Sum::new).orElseGet(Listed.NotListed::new);
    }

    /** {@code api/v1/...} other than downloads: forwarded to the upstream's API, never stored. */
    private ProxyResponse api(ProxyRequest request, CargoRequest.Api a) {
        Optional<URI> api = upstreamConfig(request).flatMap(UpstreamConfig::api);
        if (api.isEmpty()) {
            return ProxyResponse.Document.text(404, "the upstream registry has no API\n");
        }
        URI target = URI.create(api.get() + "api/" + a.encodedRest()
                + (request.rawQuery().isEmpty() ? "" : "?" + request.rawQuery()));
        return engine.forward(UpstreamRequest.absolute("GET", target, Headers.of("Accept", "application/json")));
    }

    private static URI base(URI u) {
        return u.toString().endsWith("/") ? u : URI.create(u + "/");
    }

    @Override
    public int removeExpired(int batchSize, boolean dryRun) throws IOException {
        return engine.removeExpired(key -> config.basics().expireAfter(), batchSize, dryRun);
    }

    @Override
    public String clientSetup(String publicUrl) {
        return "~/.cargo/config.toml: [source.crates-io] replace-with = \"cache\"  [source.cache] registry = \"sparse+"
                + publicUrl + "/\"";
    }
}
