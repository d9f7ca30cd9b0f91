package dev.cacheproxy.modes.buildcache;

import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.path.RequestPath;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Nx's self-hosted remote cache, {@code /v1/cache/<hash>} (reference/hosted-caches.md §6), the strictest
 * client: a read is only ever 200 or 404 (anything else fails the run); a write is exactly 200 when stored,
 * 409 when the hash is present (a record is never overwritten) and 403 for anything refused, a size over
 * the limit included (413 or 5xx would fail the run after six retries).
 */
final class NxRoutes {
    private static final Pattern HASH = Pattern.compile("[0-9A-Za-z_-]{1,128}");

    private static final HostedBacking.Answers ANSWERS = new HostedBacking.Answers(List.of(), false,
            UnaryOperator.identity(), BuildCacheInstance::notFound, "not in this build cache");

    private final HostedBacking backing;

    NxRoutes(HostedBacking backing) {
        this.backing = backing;
    }

    static boolean owns(RequestPath path) {
        List<String> s = path.segments();
        return s.size() == 3 && s.get(0).equals("v1") && s.get(1).equals("cache");
    }

    Route route(ProxyRequest request) {
        String hash = request.path().segments().get(2);
        if (!HASH.matcher(hash).matches()) {
            return Route.answer(ProxyResponse.Document.text(400, "not a task hash\n"));
        }
        String key = "v1/cache/" + hash;
        return switch (request.method()) {
            case "GET", "HEAD" -> backing.read(request, key, "nx", List.of(), ANSWERS);
            case "PUT" -> Route.blocking(() -> put(request, key));
            default -> Route.answer(ProxyResponse.Document.text(405, "method not allowed: GET, HEAD or PUT\n"));
        };
    }

    private ProxyResponse put(ProxyRequest request, String key) {
        if (backing.store().entry(key).isPresent()) {
            return ProxyResponse.Document.text(409, "cannot override an existing record\n");
        }
        return switch (backing.store().put(key, "nx", request.upload(), List.of(), backing.maxSize(),
                Map.of("content-type", "application/octet-stream"))) {
            case HostedStore.PutOutcome.Stored s -> {
                backing.stored(request, key, "nx", ANSWERS);
                yield ProxyResponse.Document.text(200, "");
            }
            case HostedStore.PutOutcome.TooLarge t -> ProxyResponse.Document.text(403,
                    "larger than this cache's max_object_size (" + t.limit() + " bytes): not stored\n");
            case HostedStore.PutOutcome.NoRoom n -> ProxyResponse.Document.text(403, "no room to store it: " + n.reason() + "\n");
            case HostedStore.PutOutcome.Mismatch m -> ProxyResponse.Document.text(400, m.reason() + "\n");
            case HostedStore.PutOutcome.Cut c -> ProxyResponse.Document.text(400, "the upload was cut: " + c.reason() + "\n");
        };
    }
}
