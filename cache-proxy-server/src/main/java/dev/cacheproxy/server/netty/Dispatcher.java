package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyResponse;

/**
 * Answers one request of one listener. Runs on a virtual thread and may block. Implemented by the
 * main listener (admin endpoints + mounts) and by a dedicated listener (one instance).
 */
interface Dispatcher {
    ProxyResponse dispatch(Exchange ex, IncomingRequest request);

    /**
     * Runs first, on the event loop: a cache hit the instance can answer from memory
     * ({@code ModeInstance.handleHit}), or empty, and {@link #dispatch} runs on a virtual thread.
     * Never blocks; anything unusual (admin paths, bad requests) is left to {@link #dispatch}.
     */
    /**
     * Whether the request (not GET or HEAD) goes to an instance that accepts its method, so the server
     * reads its body before dispatching. Called on the event loop. Otherwise the body is never read:
     * the request is answered (405) and the connection closed.
     */
    default boolean readsBody(IncomingRequest request) {
        return false;
    }

    default java.util.Optional<ProxyResponse> dispatchHit(Exchange ex, IncomingRequest request) {
        return java.util.Optional.empty();
    }
}
