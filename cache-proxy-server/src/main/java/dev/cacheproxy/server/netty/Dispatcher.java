package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.mode.Route;

/**
 * Matches one request of one listener to what answers it, once, on the event loop. Implemented by the
 * main listener (admin endpoints + mounts) and by a dedicated listener (one instance).
 */
interface Dispatcher {
    /**
     * Who answers a request (the instance name for logs and metrics: {@code _admin}, {@code -} for none), how,
     * and the principal its access rules recognised (for the access log; null when none was asked for).
     */
    record Routed(String instance, Route route, String principal) {
        Routed(String instance, Route route) {
            this(instance, route, null);
        }
    }

    /**
     * The request checked (method, path), matched to its mount and parsed by its instance, exactly once.
     * Called on the event loop: must not block (the route's serving half is where blocking belongs).
     */
    Routed route(IncomingRequest request);

    /**
     * Whether the request (not GET or HEAD) goes to an instance that accepts its method, so the server
     * reads its body before routing. Called on the event loop. Otherwise the body is never read: the
     * request is answered (405) and the connection closed.
     */
    default boolean readsBody(IncomingRequest request) {
        return false;
    }

    /**
     * Whether the request's body is an upload its instance streams ({@link dev.cacheproxy.core.mode.ModeInstance#streamsUpload}):
     * then it is handed over as it arrives, never read into memory. Called on the event loop, before {@link #readsBody}.
     */
    default boolean streamsBody(IncomingRequest request) {
        return false;
    }
}
