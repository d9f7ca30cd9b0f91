package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.path.RequestPath;
import java.util.Optional;
import java.util.function.Predicate;

/** A dedicated listener ({@code bind}): everything goes to its one instance. */
final class BindDispatcher implements Dispatcher {
    private final String name;
    private final ModeInstance instance;
    private final PublicUrls urls;

    BindDispatcher(String name, ModeInstance instance, PublicUrls urls) {
        this.name = name;
        this.instance = instance;
        this.urls = urls;
    }

    @Override
    public Optional<ProxyResponse> dispatchHit(Exchange ex, IncomingRequest in) {
        if (!in.isGetOrHead() || !(Admission.of(in, p -> false) instanceof Admission.Admitted a)
                || Admission.encodedSlashRefused(instance, a.path()).isPresent()) {
            return Optional.empty();
        }
        Optional<ProxyResponse> hit = instance.handleHit(request(in, a.path()));
        hit.ifPresent(h -> ex.instance = name);
        return hit;
    }

    @Override
    public boolean readsBody(IncomingRequest in) {
        return Admission.readsBody(in, accepts(in));
    }

    @Override
    public ProxyResponse dispatch(Exchange ex, IncomingRequest in) {
        ex.instance = name;
        return switch (Admission.of(in, accepts(in))) {
            case Admission.Rejected r -> r.response();
            case Admission.Admitted a -> Admission.encodedSlashRefused(instance, a.path())
                    .orElseGet(() -> instance.handle(request(in, a.path())));
        };
    }

    private Predicate<RequestPath> accepts(IncomingRequest in) {
        return path -> instance.accepts(in.method(), path);
    }

    private ProxyRequest request(IncomingRequest in, RequestPath path) {
        return new ProxyRequest(in.method(), path, in.rawQuery(), in.headers(), urls.base(in.headers(), in.client(), ""), in.body());
    }
}
