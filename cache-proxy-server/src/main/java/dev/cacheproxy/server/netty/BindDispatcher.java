package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.path.InvalidPathException;
import dev.cacheproxy.core.path.RequestPath;

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
    public ProxyResponse dispatch(Exchange ex, IncomingRequest in) {
        ex.instance = name;
        if (!in.isGetOrHead()) {
            return Responses.methodNotAllowed();
        }
        RequestPath path;
        try {
            path = in.path();
        } catch (InvalidPathException e) {
            return ProxyResponse.Document.text(400, "bad request path: " + e.getMessage() + "\n");
        }
        return instance.handle(new ProxyRequest(in.method(), path, in.rawQuery(), in.headers(), urls.base(in.headers(), "")));
    }
}
