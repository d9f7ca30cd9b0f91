package dev.cacheproxy.modes.go;

import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.CacheRequest;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.cache.FileCheck;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.upstream.UpstreamUrls;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running go instance.
 *
 * <ul>
 *   <li>{@code @v/list}, {@code @latest}: {@code module_*} (revalidated); {@code .info} and {@code .mod}
 *       of a canonical version: immutable; {@code .zip}: {@code zip_policy}. Each is asked of the
 *       {@code proxies} in turn, a 404/410 falling through to the next (the GOPROXY list semantics); a
 *       404/410 from all of them reaches the client as such, so its own {@code GOPROXY} list falls
 *       through too; a failure is a 502/504, never a 404.</li>
 *   <li>A zip or go.mod is checked before it is stored against the hashes the checksum database's
 *       lookup gives for that version (fetched through this instance, so the client's own lookup is a
 *       hit next); a zip's layout is always checked.</li>
 *   <li>{@code sumdb/<name>/...}: only the configured database, from its URL; full tiles immutable,
 *       {@code latest}, lookups and partial tiles revalidated ({@code sumdb_*}).</li>
 *   <li>{@code goprivate} modules are answered 404 without asking anyone.</li>
 * </ul>
 */
final class GoInstance implements ModeInstance {
    private static final Logger LOG = LoggerFactory.getLogger(GoInstance.class);
    private static final Expiration KEEP = Expiration.after(Duration.ofDays(365 * 100));

    private final GoConfig config;
    private final CacheEngine engine;
    private final BlobStore store;

    GoInstance(GoConfig config, CacheEngine engine, BlobStore store) {
        this.config = config;
        this.engine = engine;
        this.store = store;
    }

    /** A base URL with the trailing slash that makes what follows it "below" it. */
    static URI base(URI url) {
        String s = url.toString();
        return URI.create(s.endsWith("/") ? s : s + "/");
    }

    @Override
    public Route route(ProxyRequest request) {
        GoRequest parsed = GoRequest.of(request.path());
        String module = switch (parsed) {
            case GoRequest.VersionList l -> l.module();
            case GoRequest.Latest l -> l.module();
            case GoRequest.Version v -> v.module();
            case GoRequest.Query q -> q.module();
            default -> null;
        };
        if (module != null && config.goprivate().matches(ModulePaths.unescape(module))) {
            return Route.answer(text(404, "not found: " + ModulePaths.unescape(module)
                    + " is private here (goprivate) and never fetched\n"));
        }
        boolean storedOnly = config.disableModuleFetchHeader() && module != null
                && request.headers().first("Disable-Module-Fetch").isPresent();
        return switch (parsed) {
            case GoRequest.Invalid i -> Route.answer(text(i.status(), i.reason() + "\n"));
            case GoRequest.Query q -> Route.answer(text(404, "not found: " + q.query()
                    + " is not a canonical version; this module proxy serves exact versions only\n"));
            case GoRequest.SumdbSupported s -> Route.answer(isOurs(s.name()) ? new ProxyResponse.Document(200,
                    Headers.of("Content-Type", "text/plain; charset=utf-8"), new byte[0])
                    : text(404, "not found: no checksum database " + s.name() + " here\n"));
            case GoRequest.Sumdb s -> isOurs(s.name()) ? Route.cached(engine, sumdb(request, s))
                    : Route.answer(text(404, "not found: no checksum database " + s.name() + " here\n"));
            case GoRequest.VersionList l -> module(request, l.module() + "/@v/list", config.moduleRule(), storedOnly);
            case GoRequest.Latest l -> module(request, l.module() + "/@latest", config.moduleRule(), storedOnly);
            case GoRequest.Version v -> version(request, v, storedOnly);
        };
    }

    private boolean isOurs(String name) {
        return config.sumdb().map(s -> s.name().equals(name)).orElse(false);
    }

    private Route module(ProxyRequest request, String path, CacheRule rule, boolean storedOnly) {
        CacheRequest req = request(request, path, rule, FileCheck.NONE);
        return storedOnly ? storedOnly(req) : Route.cached(engine, req);
    }

    private Route version(ProxyRequest request, GoRequest.Version v, boolean storedOnly) {
        String path = v.module() + "/@v/" + v.version() + "." + v.file().name().toLowerCase(Locale.ROOT);
        CacheRule rule = v.file() == GoRequest.File.ZIP ? config.zipRule() : config.versionRule();
        CacheRequest hit = request(request, path, rule, FileCheck.NONE);
        if (storedOnly) {
            return storedOnly(hit);
        }
        if (v.file() == GoRequest.File.INFO) {
            return Route.cached(engine, hit);
        }
        return Route.of(() -> engine.serveIfHot(hit), () -> {
            String module = ModulePaths.unescape(v.module());
            String version = ModulePaths.unescape(v.version());
            SumdbRecord sums = sums(request, v.module(), v.version(), module, version);
            FileCheck check = v.file() == GoRequest.File.ZIP ? ModuleZip.zipCheck(module, version, sums.zip())
                    : ModuleZip.modCheck(sums.goMod());
            return engine.serve(request(request, path, rule, check));
        });
    }

    /** {@code Disable-Module-Fetch}: what is stored, whatever its age, else 404 without asking anyone. */
    private Route storedOnly(CacheRequest req) {
        return Route.of(() -> engine.serveIfHot(req), () -> engine.storedBlob(req.key(), KEEP)
                .<ProxyResponse>map(b -> new ProxyResponse.Stored(Headers.of("Content-Type", "application/octet-stream"),
                        b, CacheStatus.HIT))
                .orElse(text(404, "not found: not stored here, and Disable-Module-Fetch asks not to fetch it\n")));
    }

    /**
     * The checksum database's hashes for a version, read through this instance (stored like the client's
     * own lookup); none when there is no database, it does not know the version, or it cannot be reached
     * (then only the zip's layout is checked: a build with a go.sum needs no database, and must not fail
     * because the database is down).
     */
    private SumdbRecord sums(ProxyRequest request, String escapedModule, String escapedVersion, String module,
            String version) {
        if (config.sumdb().isEmpty()) {
            return SumdbRecord.NONE;
        }
        GoConfig.Sumdb db = config.sumdb().get();
        String rest = "lookup/" + escapedModule + "@" + escapedVersion;
        ProxyResponse r = engine.serveComplete(sumdb(request,
                new GoRequest.Sumdb(db.name(), rest, GoRequest.SumdbPart.LOOKUP)));
        if (!(r instanceof ProxyResponse.Stored s) || s.status() != 200) {
            if (r.status() != 404 && r.status() != 410) {
                LOG.warn("[go] the checksum database {} did not answer for {}@{} ({}): its zip is checked for its "
                        + "layout only", UpstreamUrls.display(db.url()), module, version, r.status());
            }
            return SumdbRecord.NONE;
        }
        try (InputStream in = store.open(s.blob().digest())) {
            return SumdbRecord.parse(new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8), module, version);
        } catch (IOException e) {
            LOG.warn("[go] could not read the stored lookup of {}@{}: {}", module, version, e.toString());
            return SumdbRecord.NONE;
        }
    }

    private CacheRequest sumdb(ProxyRequest request, GoRequest.Sumdb s) {
        CacheRule rule = s.part() == GoRequest.SumdbPart.TILE ? config.tileRule() : config.sumdbRule();
        URI target = base(config.sumdb().orElseThrow().url()).resolve(s.rest());
        return CacheRequest.builder("sumdb/" + s.name() + "/" + s.rest(), rule, "").absolute(target)
                .client(request.method(), request.headers()).build();
    }

    private static CacheRequest request(ProxyRequest request, String path, CacheRule rule, FileCheck check) {
        return CacheRequest.builder(path, rule, path).client(request.method(), request.headers()).checkFile(check)
                .build();
    }

    private static ProxyResponse text(int status, String body) {
        return ProxyResponse.Document.text(status, body);
    }

    @Override
    public int removeExpired(int batchSize, boolean dryRun) throws IOException {
        return engine.removeExpired(key -> config.basics().expireAfter(), batchSize, dryRun);
    }

    @Override
    public String clientSetup(String publicUrl) {
        return "GOPROXY=" + publicUrl + config.sumdb().map(s -> "  (checksum database " + s.name() + " proxied: GOSUMDB="
                + s.name() + " verifies through it)").orElse("");
    }
}
