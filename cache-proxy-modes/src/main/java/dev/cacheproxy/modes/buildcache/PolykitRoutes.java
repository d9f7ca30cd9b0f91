package dev.cacheproxy.modes.buildcache;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.path.RequestPath;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The polykit cache server's API, {@code PUT/GET/HEAD /v1/artifacts/<key>}, as polykit-cache's own
 * source answers it: a key is at least 32 hex digits (else 400); a PUT answers 201 Created, 409 when the key
 * exists (artifacts are immutable), 413 over {@code max_object_size}, 422 when the body fails verification;
 * GET and HEAD answer 200 with {@code Content-Type: application/zstd} and {@code X-Artifact-Hash} (the
 * body's SHA-256, hex), or 404. Errors are {@code {"error": "…"}}.
 *
 * <p>Verification here is the body against an {@code X-Artifact-Hash} the client sends with it (polykit's
 * own server ignores that header; honouring it costs nothing and catches a corrupted upload). polykit-cache
 * also opens the zstd tar and checks its manifest; that needs a zstd decoder this server does not carry,
 * and polykit's client checks the manifest itself on every hit.
 */
final class PolykitRoutes {
    private static final Pattern KEY = Pattern.compile("[0-9A-Fa-f]{32,256}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final HostedBacking.Answers ANSWERS = new HostedBacking.Answers(List.of(), false,
            PolykitRoutes::withHash, reason -> error(404, reason), "Artifact not found");

    private final HostedBacking backing;

    PolykitRoutes(HostedBacking backing) {
        this.backing = backing;
    }

    static boolean owns(RequestPath path) {
        List<String> s = path.segments();
        return s.size() == 3 && s.get(0).equals("v1") && s.get(1).equals("artifacts");
    }

    Route route(ProxyRequest request) {
        String key = request.path().segments().get(2);
        if (!KEY.matcher(key).matches()) {
            return Route.answer(error(400, "Invalid cache key format: " + key));
        }
        String stored = "v1/artifacts/" + key;
        return switch (request.method()) {
            case "GET", "HEAD" -> backing.read(request, stored, "polykit", List.of(), ANSWERS);
            case "PUT" -> Route.blocking(() -> put(request, stored, key));
            default -> Route.answer(error(405, "method not allowed: GET, HEAD or PUT"));
        };
    }

    private ProxyResponse put(ProxyRequest request, String stored, String key) {
        if (backing.store().entry(stored).isPresent()) {
            return error(409, "Artifact " + key + " already exists");
        }
        Optional<String> stated = request.headers().first("X-Artifact-Hash").map(v -> v.trim().toLowerCase(Locale.ROOT));
        if (stated.isPresent() && !SHA256_HEX.matcher(stated.get()).matches()) {
            return error(422, "X-Artifact-Hash is not a SHA-256 in hex");
        }
        List<Digest> expected = stated.map(h -> List.of(Digest.sha256(h))).orElse(List.of());
        return switch (backing.store().put(stored, "polykit", request.upload(), expected, backing.maxSize(), Map.of("content-type", "application/zstd"))) {
            case HostedStore.PutOutcome.Stored s -> {
                backing.stored(request, stored, "polykit", ANSWERS);
                yield ProxyResponse.Document.text(201, "");
            }
            case HostedStore.PutOutcome.TooLarge t -> error(413, "Artifact size exceeds maximum " + t.limit());
            case HostedStore.PutOutcome.Mismatch m -> error(422, "Artifact verification failed: " + m.reason());
            case HostedStore.PutOutcome.Cut c -> error(400, "the upload was cut: " + c.reason());
            case HostedStore.PutOutcome.NoRoom n -> error(507, "no room to store it: " + n.reason());
        };
    }

    /** GET and HEAD carry the body's SHA-256, as polykit-cache answers them. */
    private static ProxyResponse withHash(ProxyResponse r) {
        return r instanceof ProxyResponse.Stored s
                ? new ProxyResponse.Stored(s.headers().with("X-Artifact-Hash", s.blob().digest().hex()), s.blob(), s.cache())
                : r;
    }

    private static ProxyResponse.Document error(int status, String message) {
        return JsonErrors.json(status, JSON.createObjectNode().put("error", message).toString());
    }
}
