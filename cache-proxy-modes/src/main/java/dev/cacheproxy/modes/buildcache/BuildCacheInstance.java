package dev.cacheproxy.modes.buildcache;

import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.path.RequestPath;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * One {@code buildcache} instance. Turborepo's {@code /v8/artifacts/}, Nx's {@code /v1/cache/} and polykit's
 * {@code /v1/artifacts/} have routes of their own ({@link TurboRoutes}, {@link NxRoutes}, {@link PolykitRoutes});
 * every other path below the mount is a key. {@code GET}/{@code HEAD} answer
 * the last body stored under it (200) or 404; {@code PUT} stores the body (200, replacing what the key held:
 * ccache rewrites its manifests, Gradle's bodies differ build to build, Bazel re-uploads and repairs);
 * {@code DELETE} forgets the key. A key ending {@code cas/<sha256>} (Bazel's content-addressed store) only
 * accepts the body with that digest.
 *
 * <p>Status codes are the ones every client of the cross-client matrix (reference/hosted-caches.md §8)
 * treats right: a miss is 404 (never 401/5xx, which turn Gradle's cache off for the build); a stored upload
 * is exactly 200 (Nx fails its run on 201/204); an upload over {@code max_object_size} is 413; a body that is
 * not what its key says is 400; no room is 507.
 */
final class BuildCacheInstance implements ModeInstance {
    private static final Set<String> WRITES = Set.of("PUT", "DELETE");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final String name;
    private final BuildCacheConfig config;
    private static final HostedBacking.Answers ANSWERS = new HostedBacking.Answers(List.of(), false,
            UnaryOperator.identity(), BuildCacheInstance::notFound, "not in this build cache");

    private final HostedBacking backing;
    private final TurboRoutes turbo;
    private final NxRoutes nx;
    private final PolykitRoutes polykit;

    BuildCacheInstance(String name, BuildCacheConfig config, HostedStore store, Optional<UpstreamTier> tier) {
        this.name = name;
        this.config = config;
        this.backing = new HostedBacking(store, config.maxObjectSize(), tier);
        this.turbo = new TurboRoutes(backing);
        this.nx = new NxRoutes(backing);
        this.polykit = new PolykitRoutes(backing);
    }

    @Override
    public boolean accepts(String method, RequestPath path) {
        return WRITES.contains(method) && !path.isEmpty() || method.equals("POST") && TurboRoutes.isEvents(path);
    }

    @Override
    public boolean streamsUpload(String method, RequestPath path) {
        return method.equals("PUT") && !path.isEmpty();
    }

    /** Uploads and deletes write; Turborepo's usage events (POST) are part of reading. */
    @Override
    public boolean writes(String method) {
        return WRITES.contains(method);
    }

    @Override
    public int removeExpired(int batchSize, boolean dryRun) throws IOException {
        return backing.store().removeUnused(config.basics().expireAfter(), batchSize, dryRun);
    }

    @Override
    public boolean allowsEncodedSlash() {
        return false;
    }

    @Override
    public Route route(ProxyRequest request) {
        if (request.path().isEmpty()) {
            return Route.answer(ProxyResponse.Document.text(200, "cache-proxy: build cache '" + name + "'\n"
                    + clientSetup(request.publicBaseUrl()) + "\n"));
        }
        if (TurboRoutes.owns(request.path())) {
            return turbo.route(request);
        }
        if (NxRoutes.owns(request.path())) {
            return nx.route(request);
        }
        if (PolykitRoutes.owns(request.path())) {
            return polykit.route(request);
        }
        String key = request.path().key();
        return switch (request.method()) {
            case "GET", "HEAD" -> backing.read(request, key, client(request.headers()), casDigest(request.path()), ANSWERS);
            case "PUT" -> Route.blocking(() -> put(request, key));
            case "DELETE" -> Route.blocking(() -> delete(key));
            default -> Route.answer(ProxyResponse.Document.text(405, "method not allowed\n"));
        };
    }

    private ProxyResponse put(ProxyRequest request, String key) {
        List<Digest> expected = casDigest(request.path());
        String type = request.headers().first("Content-Type").orElse("application/octet-stream");
        String client = client(request.headers());
        return switch (backing.store().put(key, client, request.upload(), expected, config.maxObjectSize(),
                Map.of("content-type", type))) {
            case HostedStore.PutOutcome.Stored s -> {
                backing.stored(request, key, client, ANSWERS);
                yield ProxyResponse.Document.text(200, "");
            }
            case HostedStore.PutOutcome.TooLarge t -> ProxyResponse.Document.text(413,
                    "larger than this cache's max_object_size (" + t.limit() + " bytes)\n");
            case HostedStore.PutOutcome.Mismatch m -> ProxyResponse.Document.text(400, m.reason() + "\n");
            case HostedStore.PutOutcome.Cut c -> ProxyResponse.Document.text(400, "the upload was cut: " + c.reason() + "\n");
            case HostedStore.PutOutcome.NoRoom n -> ProxyResponse.Document.text(507,
                    "no room to store it now (" + n.reason() + ")\n").withHeader("Retry-After", "60");
        };
    }

    private ProxyResponse delete(String key) {
        try {
            return backing.store().delete(key) ? ProxyResponse.Document.text(200, "") : notFound("not in this build cache");
        } catch (IOException e) {
            return ProxyResponse.Document.text(503, "the index could not be written: " + e.getMessage() + "\n");
        }
    }

    /**
     * Refusals of the access rules as JSON ({@code {"error": {"code", "message"}}}): Turborepo reads a 403's
     * body as JSON (an empty or text one is "unable to parse"), and the other clients ignore bodies; a 401
     * challenges with Basic, which Maven's extension needs before it sends credentials at all.
     */
    @Override
    public ProxyResponse refused(int status, String reason, String realm) {
        ProxyResponse.Document d = JsonErrors.error(status, switch (status) {
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 429 -> "too_many_requests";
            default -> "error";
        }, reason);
        return status == 401 ? d.withHeader("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"") : d;
    }

    /**
     * Which client uses the key store, for the metrics' {@code protocol} label (bounded: a known client by
     * its User-Agent, else {@code other}); they share the paths, so only the agent tells them apart.
     */
    static String client(Headers headers) {
        String agent = headers.first("User-Agent").orElse("").toLowerCase(Locale.ROOT);
        for (String known : List.of("ccache", "gradle", "bazel")) {
            if (agent.startsWith(known)) {
                return known;
            }
        }
        return agent.startsWith("apache-maven") ? "maven" : "other";
    }

    /** Bazel's CAS: {@code .../cas/<sha256 hex>} names its own content. */
    static List<Digest> casDigest(RequestPath path) {
        List<String> s = path.segments();
        if (s.size() >= 2 && s.get(s.size() - 2).equals("cas")) {
            String hex = s.getLast().toLowerCase(Locale.ROOT);
            if (SHA256_HEX.matcher(hex).matches()) {
                return List.of(Digest.sha256(hex));
            }
        }
        return List.of();
    }

    static ProxyResponse notFound(String reason) {
        return ProxyResponse.Document.text(404, reason + "\n");
    }

    @Override
    public void close() {
        backing.tier().ifPresent(UpstreamTier::close);
    }

    @Override
    public String clientSetup(String publicUrl) {
        return String.join("\n",
                "ccache:  CCACHE_REMOTE_STORAGE=\"" + publicUrl.replaceFirst("^https?://", "http://") + "|bearer-token=TOKEN\"",
                "Gradle:  buildCache { remote(HttpBuildCache) { url = '" + publicUrl + "/'; push = true; credentials { username = 'ci'; password = 'TOKEN' } } }",
                "Bazel:   --remote_cache=" + publicUrl + " --remote_header=Authorization=\"Bearer TOKEN\"",
                "turbo:   TURBO_API=" + publicUrl + " TURBO_TOKEN=TOKEN TURBO_TEAM=TEAM",
                "Nx:      NX_SELF_HOSTED_REMOTE_CACHE_SERVER=" + publicUrl + " NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=TOKEN");
    }
}
