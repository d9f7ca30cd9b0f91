package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.path.RequestPath;
import dev.cacheproxy.server.admin.AdminEndpoints;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The main listener: built-in admin endpoints first ({@code /}, {@code /-/healthz}, {@code /-/readyz},
 * the metrics path), then the longest mount prefix. Every request is checked before any mode sees it:
 * method (405, unless the instance accepts it at that path), path safety (400), unknown mount (404),
 * an encoded slash the protocol has none of (400).
 */
final class MainDispatcher implements Dispatcher {
    private final Router router;
    private final AdminEndpoints admin;
    private final PublicUrls urls;
    private final AccessGuard guard;

    MainDispatcher(Router router, AdminEndpoints admin, PublicUrls urls, AccessGuard guard) {
        this.guard = guard;
        this.router = router;
        this.admin = admin;
        this.urls = urls;
    }

    @Override
    public Routed route(IncomingRequest in) {
        if (admin.owns(in.rawPath())) {
            // admin pages (metrics above all) are rendered on a virtual thread
            return new Routed("_admin", Route.blocking(() -> admin.handle(in.method(), in.rawPath(), in.rawQuery(), in.headers(), in.client(), in.tlsSubject(),
                    urls.base(in.headers(), in.client(), "")).orElseGet(MainDispatcher::notMounted)));
        }
        RequestPath path;
        switch (Admission.of(in, accepts(in))) {
            case Admission.Rejected r -> {
                return new Routed("-", Route.answer(r.response()));
            }
            case Admission.Admitted a -> path = a.path();
        }
        Optional<Target> target = target(path, in);
        if (target.isEmpty()) {
            return new Routed("-", Route.answer(notMounted()));
        }
        ModeInstance instance = target.get().route().instance();
        String name = target.get().route().name();
        AccessGuard.Verdict verdict = guard.check(name, instance, in, target.get().request().path());
        Optional<ProxyResponse> refused = verdict.refusal()
                .or(() -> Admission.encodedSlashRefused(instance, target.get().request().path()));
        return new Routed(name, refused.isPresent() ? Route.answer(refused.get())
                : instance.route(target.get().request()), verdict.principal());
    }

    private static ProxyResponse notMounted() {
        return ProxyResponse.Document.text(404, "not found: no instance is mounted at this path\n");
    }

    @Override
    public boolean readsBody(IncomingRequest in) {
        return !admin.owns(in.rawPath()) && Admission.readsBody(in, accepts(in));
    }

    @Override
    public boolean streamsBody(IncomingRequest in) {
        if (admin.owns(in.rawPath()) || !(Admission.of(in, accepts(in)) instanceof Admission.Admitted a)) {
            return false;
        }
        return router.match(a.path()).map(m -> m.route().instance().streamsUpload(in.method(), m.rest())).orElse(false);
    }

    /** Whether the instance mounted at a path answers the request's method. */
    private Predicate<RequestPath> accepts(IncomingRequest in) {
        return path -> router.match(path).map(m -> m.route().instance().accepts(in.method(), m.rest())).orElse(false);
    }

    /** The mounted instance for an admitted path, and the request as that instance sees it. */
    private record Target(Router.Route route, ProxyRequest request) {}

    private Optional<Target> target(RequestPath path, IncomingRequest in) {
        return router.match(path).map(m -> new Target(m.route(), new ProxyRequest(in.method(), m.rest(), in.rawQuery(),
                in.headers(), urls.base(in.headers(), in.client(), m.route().mountPath()), in.body(), in.clientAddress(),
                in.upload())));
    }
}
