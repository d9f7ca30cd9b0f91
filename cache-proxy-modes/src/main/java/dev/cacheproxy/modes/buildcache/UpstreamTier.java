package dev.cacheproxy.modes.buildcache;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRequest;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.upstream.JdkUpstreamTransport;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamTarget;
import dev.cacheproxy.core.upstream.UpstreamUrls;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A central build cache of the same kind behind this one ({@code buildcache.upstream}): an office cache
 * reads through to it on a miss and forwards what its builds upload to it in the background, so teams get
 * several tiers without configuring them in every client.
 *
 * <p>Reads go through the engine (single-flight, verified as far as the protocol allows, stored under the
 * same key, streamed to the client while they arrive): a key found upstream is a hit from then on. A read
 * the central cache cannot answer (down, 5xx) is this cache's miss, 404, with the reason in its body: every
 * build-cache client treats a miss as "build it", while several treat a 5xx as an error that turns the cache
 * off (Gradle) or fails the build (Nx). Writes are forwarded after they are stored here, from the stored
 * blob (never held in memory), two at a time, at most {@link #QUEUE} waiting; past that they are dropped
 * and logged (the central cache is a cache: a lost copy is rebuilt, never wrong).
 */
final class UpstreamTier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamTier.class);
    static final int QUEUE = 1000;
    private static final List<String> FORWARDED_HEADERS = List.of("Content-Type", "x-artifact-duration", "x-artifact-tag",
            "x-artifact-sha", "x-artifact-dirty-hash");

    private final String instance;
    private final URI base;
    /** The {@code Authorization} value of the forwarded writes, as the engine sends it with the reads. */
    private final Optional<String> authorization;
    private final CacheEngine engine;
    private final HostedStore store;
    private final CacheRule rule;
    private final TransportSettings transport;
    private final HttpClient http;
    private final ThreadPoolExecutor forwarder;

    UpstreamTier(String instance, URI base, Optional<String> authorization, CacheEngine engine, HostedStore store,
            BuildCacheConfig config) {
        this.instance = instance;
        this.base = base;
        this.authorization = authorization;
        this.engine = engine;
        this.store = store;
        // what the central cache holds under a key is taken as it is: never revalidated; kept by last use
        this.rule = new CacheRule(CachePolicy.IMMUTABLE, Freshness.NONE, BusyPolicy.BYPASS, config.basics().expireAfter());
        this.transport = config.basics().transport();
        this.http = JdkUpstreamTransport.clientFor(transport, transport.dialTimeout()).build();
        this.forwarder = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "cp-" + instance + "-forward");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The central cache's answer for a key missed here: its body (stored under {@code key} as it streams) or
     * this protocol's miss.
     *
     * @param encodedPath the request's path below the mount, as the central cache's mount takes it
     * @param expected digests the body must have (Bazel's CAS), or none
     * @param keptHeaders protocol headers to store and replay with the body
     * @param miss this protocol's miss, given the reason
     */
    ProxyResponse read(String key, String method, String encodedPath, String rawQuery, List<Digest> expected,
            List<String> keptHeaders, Function<String, ProxyResponse> miss) {
        CacheRequest req = CacheRequest.builder(key, rule, encodedPath).query(rawQuery).client(method, Headers.EMPTY)
                .expect(expected).keepHeaders(keptHeaders).build();
        ProxyResponse r;
        try {
            r = engine.serve(req);
        } catch (UncheckedIOException e) {
            return miss.apply("the central build cache could not be asked: " + e.getCause().getMessage());
        }
        if (r.status() >= 500) {
            return miss.apply("the central build cache " + UpstreamUrls.display(base) + " answered " + r.status());
        }
        return r.status() == 404 ? miss.apply("not in this build cache, nor in the central one") : r;
    }

    /** Sends what was just stored under {@code key} to the central cache, in the background. */
    void forward(String key, String encodedPath, String rawQuery, String protocol) {
        URI target;
        try {
            target = UpstreamTarget.resolve(base, encodedPath, rawQuery);
        } catch (IllegalArgumentException outside) {
            return; // a path the central cache's base cannot hold: never sent elsewhere
        }
        try {
            forwarder.execute(() -> send(key, target, protocol));
        } catch (RejectedExecutionException full) {
            LOG.warn("[{}] {} uploads wait for the central build cache already: {} is not forwarded", instance, QUEUE, key);
        }
    }

    private void send(String key, URI target, String protocol) {
        Optional<CacheEntry> entry = store.entry(key);
        if (entry.isEmpty()) {
            return; // replaced or removed since
        }
        HttpRequest.Builder put = JdkUpstreamTransport.requestTo(transport, target).timeout(Duration.ofMinutes(10))
                .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> open(key)),
                        entry.get().size()));
        for (String h : FORWARDED_HEADERS) {
            String v = entry.get().headers().get(h.toLowerCase(java.util.Locale.ROOT));
            if (v != null) {
                put.header(h, v);
            }
        }
        authorization.ifPresent(a -> put.header("Authorization", a));
        try {
            int status = http.send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            // 409: the central cache has it already (Nx, polykit: write-once)
            if (status / 100 != 2 && status != 409) {
                LOG.warn("[{}] forwarding {} ({}) to the central build cache: {}", instance, key, protocol, status);
            }
        } catch (IOException e) {
            LOG.warn("[{}] forwarding {} to the central build cache failed: {}", instance, key, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private InputStream open(String key) {
        try {
            return store.open(key).orElseGet(InputStream::nullInputStream);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        forwarder.shutdownNow();
        http.close();
    }
}
