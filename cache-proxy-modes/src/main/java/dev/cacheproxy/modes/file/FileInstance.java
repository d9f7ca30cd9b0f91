package dev.cacheproxy.modes.file;

import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRequest;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.path.RequestPath;
import java.io.IOException;

/**
 * A running file instance: the path below the mount is both the cache key and the path below each
 * upstream. Encoded slashes are kept as they came ({@code group%2Fproject}, as some HTTP APIs want
 * them) and keyed apart from real slashes ({@link RequestPath#key()}). The query string is not part of the key and is sent upstream only on bypassed requests
 * (as in the Go project: different queries share one cached object).
 */
final class FileInstance implements ModeInstance {
    private final FileConfig config;
    private final CacheEngine engine;

    FileInstance(FileConfig config, CacheEngine engine) {
        this.config = config;
        this.engine = engine;
    }

    @Override
    public Route route(ProxyRequest request) {
        if (request.path().isEmpty()) {
            return Route.answer(ProxyResponse.Document.text(404, "no file path below the mount\n"));
        }
        return Route.cached(engine, cacheRequest(request));
    }

    @Override
    public boolean allowsEncodedSlash() {
        return true;
    }

    @Override
    public int removeExpired(int batchSize, boolean dryRun) throws IOException {
        // the key is the path below the mount, so the rules that gave each entry its life still apply
        return engine.removeExpired(key -> config.ruleFor(key).expireAfter(), batchSize, dryRun);
    }

    private CacheRequest cacheRequest(ProxyRequest request) {
        String relative = request.path().key();
        CacheRule rule = config.ruleFor(relative);
        String query = rule.policy() == CachePolicy.BYPASS ? request.rawQuery() : "";
        return CacheRequest.builder(relative, rule, request.path().encoded()).client(request.method(), request.headers())
                .query(query).upstreamHeaders(request.headers().only(config.basics().passHeaders())).build();
    }
}
