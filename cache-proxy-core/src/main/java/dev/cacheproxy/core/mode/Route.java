package dev.cacheproxy.core.mode;

import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.CacheRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One request, parsed and matched once ({@link ModeInstance#route}). The server asks {@link #hit()} on
 * the event loop and, only when that is empty, {@link #serve()} on a virtual thread, on the same object:
 * nothing is parsed or built twice, and a mode whose routes come from {@link #cached} gets the
 * event-loop hit path without writing one.
 */
public interface Route {
    /**
     * The answer when it is known without blocking: a cache hit the hot index holds, or a fixed answer.
     * Called on the event loop: never blocks. Empty: {@link #serve()} answers.
     */
    default Optional<ProxyResponse> hit() {
        return Optional.empty();
    }

    /**
     * The answer; may block on the disk and the upstream. Called on a virtual thread. Also called after
     * {@link #hit()} or an earlier {@code serve()} answered, when that answer went stale before it could be
     * written (a pipelined request answered ahead of its turn whose blob went meanwhile): so it must not
     * assume it runs once.
     */
    ProxyResponse serve();

    /** A fixed answer (a refusal, a small page), written from the event loop. */
    static Route answer(ProxyResponse fixed) {
        return new Route() {
            @Override
            public Optional<ProxyResponse> hit() {
                return Optional.of(fixed);
            }

            @Override
            public ProxyResponse serve() {
                return fixed;
            }
        };
    }

    /** An answer that always needs a virtual thread (documents rewritten per request, forwarded API calls). */
    static Route blocking(Supplier<ProxyResponse> serve) {
        return serve::get;
    }

    /** A cached resource: the engine's memory-only hit, else its full serve; {@code finish} shapes both. */
    static Route cached(CacheEngine engine, CacheRequest request, UnaryOperator<ProxyResponse> finish) {
        return of(() -> engine.serveIfHot(request).map(finish), () -> finish.apply(engine.serve(request)));
    }

    static Route cached(CacheEngine engine, CacheRequest request) {
        return cached(engine, request, UnaryOperator.identity());
    }

    /** A route from its two halves (a mode whose blocking half needs more than its hit: npm, Maven, deb). */
    static Route of(Supplier<Optional<ProxyResponse>> hit, Supplier<ProxyResponse> serve) {
        return new Route() {
            @Override
            public Optional<ProxyResponse> hit() {
                return hit.get();
            }

            @Override
            public ProxyResponse serve() {
                return serve.get();
            }
        };
    }
}
