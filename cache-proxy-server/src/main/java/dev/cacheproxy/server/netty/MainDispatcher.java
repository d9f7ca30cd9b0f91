package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.path.RequestPath;
import dev.cacheproxy.server.admin.AdminEndpoints;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The main listener: built-in admin endpoints first ({@code /}, {@code /-/healthz}, {@code /-/readyz},
 * the metrics path), then the longest mount prefix. Every request is checked before any mode sees it:
 * method (405, unless the instance accepts it at that path), path safety (400), unknown mount (404).
 */
final class MainDispatcher implements Dispatcher {
    private final Router router;
    private final AdminEndpoints admin;
    private final PublicUrls urls;

    MainDispatcher(Router router, AdminEndpoints admin, PublicUrls urls) {
        this.router = router;
        this.admin = admin;
        this.urls = urls;
    }

    @Override
    public Optional<ProxyResponse> dispatchHit(Exchange ex, IncomingRequest in) {
        if (!in.isGetOrHead() || admin.owns(in.rawPath())
                || !(Admission.of(in, p -> false) instanceof Admission.Admitted a)) {
            return Optional.empty();
        }
        return target(a.path(), in)
                .filter(t -> Admission.encodedSlashRefused(t.route().instance(), t.request().path()).isEmpty())
                .flatMap(t -> {
            Optional<ProxyResponse> hit = t.route().instance().handleHit(t.request());
            hit.ifPresent(h -> ex.instance = t.route().name());
            return hit;
        });
    }

    @Override
    public ProxyResponse dispatch(Exchange ex, IncomingRequest in) {
        ex.instance = "_admin";
        Optional<ProxyResponse> builtIn = admin.handle(in.method(), in.rawPath(), in.headers(),
                urls.base(in.headers(), in.client(), ""));
        if (builtIn.isPresent()) {
            return builtIn.get();
        }
        ex.instance = "-";
        RequestPath path;
        switch (Admission.of(in, accepts(in))) {
            case Admission.Rejected r -> {
                return r.response();
            }
            case Admission.Admitted a -> path = a.path();
        }
        Optional<Target> target = target(path, in);
        if (target.isEmpty()) {
            return ProxyResponse.Document.text(404, "not found: no instance is mounted at this path\n");
        }
        ex.instance = target.get().route().name();
        ModeInstance instance = target.get().route().instance();
        return Admission.encodedSlashRefused(instance, target.get().request().path())
                .orElseGet(() -> instance.handle(target.get().request()));
    }

    @Override
    public boolean readsBody(IncomingRequest in) {
        return !admin.owns(in.rawPath()) && Admission.readsBody(in, accepts(in));
    }

    /** Whether the instance mounted at a path answers the request's method. */
    private Predicate<RequestPath> accepts(IncomingRequest in) {
        return path -> router.match(path).map(m -> m.route().instance().accepts(in.method(), m.rest())).orElse(false);
    }

    /** The mounted instance for an admitted path, and the request as that instance sees it. */
    private record Target(Router.Route route, ProxyRequest request) {}

    private Optional<Target> target(RequestPath path, IncomingRequest in) {
        return router.match(path).map(m -> new Target(m.route(), new ProxyRequest(in.method(), m.rest(), in.rawQuery(),
                in.headers(), urls.base(in.headers(), in.client(), m.route().mountPath()), in.body())));
    }
}
