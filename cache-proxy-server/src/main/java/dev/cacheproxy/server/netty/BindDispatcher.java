package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.path.RequestPath;
import java.util.function.Predicate;

/** A dedicated listener ({@code bind}): everything goes to its one instance. */
final class BindDispatcher implements Dispatcher {
    private final String name;
    private final ModeInstance instance;
    private final PublicUrls urls;
    private final AccessGuard guard;

    BindDispatcher(String name, ModeInstance instance, PublicUrls urls, AccessGuard guard) {
        this.guard = guard;
        this.name = name;
        this.instance = instance;
        this.urls = urls;
    }

    @Override
    public boolean readsBody(IncomingRequest in) {
        return Admission.readsBody(in, accepts(in));
    }

    @Override
    public boolean streamsBody(IncomingRequest in) {
        return Admission.of(in, accepts(in)) instanceof Admission.Admitted a && instance.streamsUpload(in.method(), a.path());
    }

    @Override
    public Routed route(IncomingRequest in) {
        return switch (Admission.of(in, accepts(in))) {
            case Admission.Rejected r -> new Routed(name, Route.answer(r.response()));
            case Admission.Admitted a -> {
                AccessGuard.Verdict verdict = guard.check(name, instance, in, a.path());
                yield new Routed(name, verdict.refusal().or(() -> Admission.encodedSlashRefused(instance, a.path()))
                        .map(Route::answer).orElseGet(() -> instance.route(request(in, a.path()))), verdict.principal());
            }
        };
    }

    private Predicate<RequestPath> accepts(IncomingRequest in) {
        return path -> instance.accepts(in.method(), path);
    }

    private ProxyRequest request(IncomingRequest in, RequestPath path) {
        return new ProxyRequest(in.method(), path, in.rawQuery(), in.headers(), urls.base(in.headers(), in.client(), ""), in.body(),
                in.clientAddress(), in.upload());
    }
}
