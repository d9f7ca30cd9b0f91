package dev.cacheproxy.modes.pypi;

import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.CacheRequest;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.cache.ContentCheck;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.render.RenderedVariants;
import dev.cacheproxy.core.upstream.UpstreamUrls;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running pypi instance.
 *
 * <ul>
 *   <li>{@code simple/} and {@code simple/<project>/}: the upstream's page (asked for as JSON, taken in
 *       whichever form it answers), stored under {@code index_*}, served in the client's form with links
 *       rewritten ({@link PageRewriter}) as rendered variants: plain and gzip, own ETag,
 *       {@code Vary: Accept, Accept-Encoding}. Another spelling of a project name is redirected to the
 *       normalised one (301), as the public index does.</li>
 *   <li>{@code files/...}: a {@link FileLink}; verified against the page's digest and stored by it.</li>
 * </ul>
 */
final class PypiInstance implements ModeInstance {
    private static final Logger LOG = LoggerFactory.getLogger(PypiInstance.class);

    private final String name;
    private final PypiConfig config;
    private final CacheEngine engine;
    private final PageRewriter rewriter;
    private final RenderedVariants pages;
    private final FileHosts hosts;
    /** The upstream base without credentials: where pages are, and what relative links resolve against. */
    private final URI upstream;

    PypiInstance(String name, PypiConfig config, CacheEngine engine, FileHosts hosts, BlobStore store) {
        this.name = name;
        this.config = config;
        this.engine = engine;
        this.rewriter = new PageRewriter(hosts);
        this.hosts = hosts;
        URI base = UpstreamUrls.withoutCredentials(config.basics().upstream());
        this.upstream = base.getRawPath() == null || base.getRawPath().endsWith("/") ? base
                : URI.create(base.toString() + "/");
        Freshness fresh = config.indexFreshFor();
        long seconds = fresh.forever() ? 300 : fresh.window().toSeconds();
        // pip, uv and poetry keep pages in their HTTP caches: tell them how long, and give them an ETag
        this.pages = new RenderedVariants(store, seconds > 0 ? "max-age=" + seconds : "no-cache",
                "Accept, Accept-Encoding");
    }

    @Override
    public Route route(ProxyRequest request) {
        return switch (PypiRequest.of(request.path())) {
            case PypiRequest.Invalid i -> Route.answer(ProxyResponse.Document.text(i.status(), i.reason() + "\n"));
            case PypiRequest.Redirect r -> Route.answer(redirect(request.publicBaseUrl() + "/" + r.pathBelowMount()));
            case PypiRequest.Root root -> page(request, null, PageFormat.negotiate(request.headers(), config.proxyJson()));
            case PypiRequest.Project p -> p.json() && !config.proxyJson()
                    ? Route.answer(ProxyResponse.Document.text(404, "JSON pages are off (proxy_json: false)\n"))
                    : page(request, p.name(), p.json() ? PageFormat.JSON
                            : PageFormat.negotiate(request.headers(), config.proxyJson()));
            case PypiRequest.File f when hosts.baseOf(f.link().target()).isEmpty() -> Route.answer(
                    ProxyResponse.Document.text(404, "not a file of this index: no page of the upstream links there\n"));
            case PypiRequest.File f -> {
                CacheRequest req = file(request, f.link());
                yield Route.of(() -> engine.serveIfHot(req), () -> engine.serve(req));
            }
        };
    }

    /**
     * The root page ({@code project} null) or a project page, in {@code format}: on the event loop when the
     * page is fresh and was rendered for this base and form before, else fetched or revalidated and rendered.
     */
    private Route page(ProxyRequest request, String project, PageFormat format) {
        String path = project == null ? "simple/" : "simple/" + project + "/";
        CacheRequest req = CacheRequest.builder(path, config.indexRule(), path).client("GET", request.headers())
                .upstreamHeaders(Headers.of("Accept", PageFormat.UPSTREAM_ACCEPT)).build();
        return Route.of(() -> engine.serveIfHot(req).flatMap(hot -> hot instanceof ProxyResponse.Stored s
                        ? pages.serveIfRendered(s.withHeaders(pageHeaders(s.headers(), format)), format.name(),
                                request.publicBaseUrl(), request.headers())
                        : Optional.<ProxyResponse>empty()),
                () -> render(request, req, project, format));
    }

    private ProxyResponse render(ProxyRequest request, CacheRequest req, String project, PageFormat format) {
        String path = req.key();
        // a page the storage cannot keep now is rewritten as it passes: a full disk does not stop installs
        ProxyResponse stored = engine.serveCompleteOrPassed(req);
        URI pageUrl = upstream.resolve(path);
        String base = request.publicBaseUrl();
        RenderedVariants.Rewrite rewrite = (in, out) -> {
            boolean json = SimplePages.isJson(stored.headers().first("Content-Type").orElse(""));
            if (project == null) {
                rewriter.root(in, json, format, base, out);
            } else {
                rewriter.project(in, json, pageUrl, project, format, base, out);
            }
        };
        try {
            if (stored instanceof ProxyResponse.Stored s) {
                return pages.serve(s.withHeaders(pageHeaders(s.headers(), format)), format.name(), base,
                        request.headers(), rewrite);
            }
            if (stored instanceof ProxyResponse.Streamed s && s.status() == 200) { // index_policy: bypass, or no room
                return pages.serveUnstored(s.body(), pageHeaders(s.headers(), format), request.headers(), rewrite);
            }
        } catch (IOException e) {
            LOG.warn("[{}] could not render {}: {}", name, path, e.toString());
            return ProxyResponse.Document.text(502, "the upstream's page could not be read: " + e.getMessage() + "\n")
                    .withHeaders(Headers.of("Content-Type", "text/plain; charset=utf-8", "Retry-After", "5"));
        }
        return stored; // 404 stays 404 (pip moves on to its other indexes); failures are 502
    }

    /** The stored page's headers with the form's {@code Content-Type}: the body is ours, not the upstream's. */
    private static Headers pageHeaders(Headers stored, PageFormat format) {
        return stored.toBuilder().remove("Content-Type").remove("Last-Modified").remove("Content-Length")
                .set("Content-Type", format.contentType()).build();
    }

    private CacheRequest file(ProxyRequest request, FileLink link) {
        CacheRule rule = link.expected().isPresent() || switch (link.kind()) {
            case DISTRIBUTION -> true;
            case METADATA -> !config.proxyCoreMetadata();
            case SIGNATURE -> !config.proxySignatures();
        } ? config.fileRule() : config.companionRule();
        // below the upstream URL, the upstream client sends it with the upstream's credentials
        return CacheRequest.builder(link.key(), rule, "").absolute(link.target()).client(request.method(), request.headers()).upstreamHeaders(Headers.of("Accept", "*/*"))
                .expect(link.expected().map(List::of).orElse(List.of()))
                .check(ContentCheck.artifact(link.kind() == FileLink.Kind.METADATA ? "core metadata" : "a Python file"))
                .build();
    }

    private static ProxyResponse redirect(String location) {
        return new ProxyResponse.Document(301, Headers.of("Location", location, "Content-Type",
                "text/plain; charset=utf-8"), ("moved to " + location + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int removeExpired(int batchSize, boolean dryRun) throws IOException {
        return engine.removeExpired(key -> config.basics().expireAfter(), batchSize, dryRun);
    }

    @Override
    public String clientSetup(String publicUrl) {
        return "pip install --index-url " + publicUrl + "/simple/ <package>   (uv: --index-url; poetry: a "
                + "supplemental source)";
    }
}
