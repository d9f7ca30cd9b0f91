package dev.cacheproxy.modes.buildcache;

import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.Route;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What every protocol of a {@code buildcache} instance stands on: its store, its size limit and its optional
 * central tier; one read path (stored body, else the central cache's, else the protocol's miss) and one
 * forward after a stored upload, so the protocols differ only in their {@link Answers}.
 */
record HostedBacking(HostedStore store, long maxSize, Optional<UpstreamTier> tier) {
    /**
     * How one protocol answers reads.
     *
     * @param keptHeaders protocol headers stored with a body read through from the central cache
     * @param queryInKey whether the query names the key (turbo's team), so it goes to the central cache too
     * @param finish applied to every answer (polykit adds its hash header)
     * @param miss the protocol's miss, given the reason
     * @param notFound the reason of a miss without a central cache
     */
    record Answers(List<String> keptHeaders, boolean queryInKey, UnaryOperator<ProxyResponse> finish,
            Function<String, ProxyResponse> miss, String notFound) {}

    /** A GET or HEAD of {@code key}: a hit from memory on the event loop, else the full read on a virtual thread. */
    Route read(ProxyRequest request, String key, String protocol, List<Digest> expected, Answers answers) {
        return Route.of(() -> store.hit(key, protocol).map(answers.finish()),
                () -> answers.finish().apply(store.get(key, protocol).<ProxyResponse>map(r -> r).orElseGet(() -> tier
                        .map(t -> t.read(key, request.method(), request.path().encoded(), query(request, answers),
                                expected, answers.keptHeaders(), answers.miss()))
                        .orElseGet(() -> answers.miss().apply(answers.notFound())))));
    }

    /** After an upload was stored under {@code key}: sent on to the central cache, if there is one. */
    void stored(ProxyRequest request, String key, String protocol, Answers answers) {
        tier.ifPresent(t -> t.forward(key, request.path().encoded(), query(request, answers), protocol));
    }

    private static String query(ProxyRequest request, Answers answers) {
        return answers.queryInKey() ? request.rawQuery() : "";
    }
}
