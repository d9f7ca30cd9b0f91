package dev.cacheproxy.modes.buildcache;

import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.path.RequestPath;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Turborepo's remote cache, the Vercel {@code /v8/artifacts} API (reference/hosted-caches.md §5):
 * {@code GET status} answers {@code {"status":"enabled"}}; {@code GET/HEAD/PUT <hash>} read and store an
 * artifact with its {@code x-artifact-*} headers (the {@code x-artifact-tag} signature must come back on
 * GET, or a signing client refuses the hit); {@code POST events} (usage events) is acknowledged. Artifacts are
 * kept per team ({@code ?slug=} or {@code ?teamId=}), as Vercel does. Errors are JSON, which turbo parses.
 */
final class TurboRoutes {
    private static final Pattern HASH = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final List<String> KEPT_HEADERS = List.of("x-artifact-duration", "x-artifact-tag", "x-artifact-sha",
            "x-artifact-dirty-hash");

    private static final HostedBacking.Answers ANSWERS = new HostedBacking.Answers(KEPT_HEADERS, true,
            UnaryOperator.identity(), TurboRoutes::notFound, "Artifact not found");

    private final HostedBacking backing;

    TurboRoutes(HostedBacking backing) {
        this.backing = backing;
    }

    static boolean owns(RequestPath path) {
        List<String> s = path.segments();
        return s.size() >= 2 && s.get(0).equals("v8") && s.get(1).equals("artifacts");
    }

    static boolean isEvents(RequestPath path) {
        return path.segments().equals(List.of("v8", "artifacts", "events"));
    }

    Route route(ProxyRequest request) {
        List<String> s = request.path().segments();
        if (s.size() != 3) {
            return Route.answer(JsonErrors.error(404, "not_found", "no such endpoint of the artifacts API"));
        }
        String last = s.get(2);
        if (last.equals("status") && isRead(request)) {
            return Route.answer(JsonErrors.json(200, "{\"status\":\"enabled\"}"));
        }
        if (last.equals("events") && request.method().equals("POST")) {
            return Route.answer(JsonErrors.json(200, "{}"));
        }
        if (!HASH.matcher(last).matches()) {
            return Route.answer(JsonErrors.error(400, "bad_request", "not an artifact hash"));
        }
        String key = "v8/artifacts/" + team(request.rawQuery()) + "/" + last;
        return switch (request.method()) {
            case "GET", "HEAD" -> backing.read(request, key, "turbo", List.of(), ANSWERS);
            case "PUT" -> Route.blocking(() -> put(request, key, last));
            default -> Route.answer(JsonErrors.error(405, "method_not_allowed", "GET, HEAD or PUT"));
        };
    }

    private static ProxyResponse notFound(String reason) {
        return JsonErrors.error(404, "not_found", reason);
    }

    private static boolean isRead(ProxyRequest request) {
        return request.method().equals("GET") || request.method().equals("HEAD");
    }

    private ProxyResponse put(ProxyRequest request, String key, String hash) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/octet-stream");
        for (String h : KEPT_HEADERS) {
            request.headers().first(h).filter(v -> v.length() <= 1024).ifPresent(v -> headers.put(h, v));
        }
        return switch (backing.store().put(key, "turbo", request.upload(), List.of(), backing.maxSize(), headers)) {
            case HostedStore.PutOutcome.Stored s -> {
                backing.stored(request, key, "turbo", ANSWERS);
                yield JsonErrors.json(200, "{\"urls\":[\"" + request.publicBaseUrl() + "/v8/artifacts/" + hash + "\"]}");
            }
            case HostedStore.PutOutcome.TooLarge t -> JsonErrors.error(413, "payload_too_large",
                    "larger than this cache's max_object_size (" + t.limit() + " bytes)");
            case HostedStore.PutOutcome.Mismatch m -> JsonErrors.error(400, "bad_request", m.reason());
            case HostedStore.PutOutcome.Cut c -> JsonErrors.error(400, "bad_request", "the upload was cut: " + c.reason());
            case HostedStore.PutOutcome.NoRoom n -> JsonErrors.error(507, "insufficient_storage", "no room: " + n.reason());
        };
    }

    /** The team an artifact belongs to: {@code slug} or {@code teamId} of the query, {@code -} without one. */
    static String team(String rawQuery) {
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && (pair.startsWith("slug=") || pair.startsWith("teamId="))) {
                String v = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (HASH.matcher(v).matches()) {
                    return (pair.startsWith("slug=") ? "slug:" : "id:") + v;
                }
            }
        }
        return "-";
    }
}
