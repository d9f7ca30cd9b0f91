package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.path.RequestPath;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The main listener's mount table: longest prefix wins, matched on whole decoded segments so that
 * {@code /npm} never matches {@code /npmx}.
 */
public final class Router {
    /** One path-mounted instance. */
    record Route(String name, String mountPath, RequestPath mount, ModeInstance instance) {}

    /** A match: the route and the path below its mount. */
    record Match(Route route, RequestPath rest) {}

    private final List<Route> routes;

    Router(List<Route> routes) {
        // Longest mounts first, so the first match is the longest prefix.
        this.routes = routes.stream()
                .sorted(Comparator.comparingInt((Route r) -> r.mount().segments().size()).reversed())
                .toList();
    }

    Optional<Match> match(RequestPath path) {
        for (Route r : routes) {
            if (path.startsWith(r.mount())) {
                return Optional.of(new Match(r, path.dropFirst(r.mount().segments().size())));
            }
        }
        return Optional.empty();
    }

    List<Route> routes() {
        return routes;
    }
}
