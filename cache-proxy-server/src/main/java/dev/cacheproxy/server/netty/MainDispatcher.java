package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.path.RequestPath;
import dev.cacheproxy.server.admin.AdminEndpoints;
import java.util.Optional;

/**
 * The main listener: built-in admin endpoints first ({@code /}, {@code /-/healthz}, {@code /-/readyz},
 * the metrics path), then the longest mount prefix. Every request is checked before any mode sees it:
 * method (405), path safety (400), unknown mount (404).
 */
final class MainDispatcher implements Dispatcher {
    private final Router router;
    private final AdminEndpoints admin;
    private final PublicUrls urls;
    private final String metricsPath;

    MainDispatcher(Router router, AdminEndpoints admin, PublicUrls urls) {
        this.router = router;
        this.admin = admin;
        this.urls = urls;
        this.metricsPath = admin.metricsPath();
    }

    @Override
    public Optional<ProxyResponse> dispatchHit(Exchange ex, IncomingRequest in) {
        if (AdminEndpoints.isBuiltIn(in.rawPath(), metricsPath) || !(Admission.of(in) instanceof Admission.Admitted a)) {
            return Optional.empty();
        }
        Optional<Router.Match> m = router.match(a.path());
        if (m.isEmpty()) {
            return Optional.empty();
        }
        Router.Route route = m.get().route();
        Optional<ProxyResponse> hit = route.instance().handleHit(new ProxyRequest(in.method(), m.get().rest(),
                in.rawQuery(), in.headers(), urls.base(in.headers(), route.mountPath())));
        if (hit.isPresent()) {
            ex.instance = route.name();
        }
        return hit;
    }

    @Override
    public ProxyResponse dispatch(Exchange ex, IncomingRequest in) {
        ex.instance = "_admin";
        Optional<ProxyResponse> builtIn = admin.handle(in.method(), in.rawPath(), in.headers(),
                urls.base(in.headers(), ""));
        if (builtIn.isPresent()) {
            return builtIn.get();
        }
        ex.instance = "-";
        RequestPath path;
        switch (Admission.of(in)) {
            case Admission.Rejected r -> {
                return r.response();
            }
            case Admission.Admitted a -> path = a.path();
        }
        Optional<Router.Match> m = router.match(path);
        if (m.isEmpty()) {
            return ProxyResponse.Document.text(404, "not found: no instance is mounted at this path\n");
        }
        Router.Route route = m.get().route();
        ex.instance = route.name();
        return route.instance().handle(new ProxyRequest(in.method(), m.get().rest(), in.rawQuery(), in.headers(),
                urls.base(in.headers(), route.mountPath())));
    }
}
