package dev.cacheproxy.modes.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.upstream.JdkUpstreamTransport;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamAuth;
import dev.cacheproxy.core.upstream.UpstreamRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication to the upstream registry (the distribution token flow and its simpler relatives).
 *
 * <ul>
 *   <li>{@code bearer}: the configured token on every request.</li>
 *   <li>A {@code Bearer} challenge: a token from the challenge's realm for its service and scope
 *       (with the configured basic credentials, if any; anonymous otherwise), cached per
 *       realm/service/scope until shortly before it expires and fetched once however many requests
 *       wait for it. Later requests for the same repository send the cached token at once.</li>
 *   <li>A {@code Basic} challenge with basic credentials configured: the credentials, sent up front
 *       from then on.</li>
 * </ul>
 * A token endpoint that cannot be reached counts as an unreachable upstream (so a stored copy is
 * served); one that refuses the credentials leaves the upstream's 401 as the answer.
 */
final class RegistryAuth implements UpstreamAuth {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryAuth.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOKEN_RESPONSE = 1 << 20;
    private static final int MAX_CACHED_TOKENS = 2048;
    /** The distribution spec's default when a token response states no lifetime. */
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
    private static final List<String> ROUTE_WORDS = List.of("manifests", "blobs", "tags", "referrers");

    private final String instance;
    private final OciConfig.Auth auth;
    private final TransportSettings transport;
    private final HttpClient http;
    private final InstantSource clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Token>> fetching = new ConcurrentHashMap<>();
    /** The realm and service of the last bearer challenge: tokens are looked up with them before sending. */
    private volatile Challenge lastBearer;
    private volatile boolean basicUpFront;

    record Token(String value, Instant expires) {}

    RegistryAuth(String instance, OciConfig.Auth auth, TransportSettings transport, InstantSource clock) {
        this.instance = instance;
        this.auth = auth;
        this.transport = transport;
        this.clock = clock;
        this.http = JdkUpstreamTransport.clientFor(transport, transport.dialTimeout()).build(); // through the proxy
    }

    @Override
    public Optional<String> authorization(UpstreamRequest request) {
        if (auth instanceof OciConfig.Auth.Bearer b) {
            return Optional.of("Bearer " + b.token());
        }
        if (basicUpFront && auth instanceof OciConfig.Auth.Basic basic) {
            return Optional.of(basicValue(basic));
        }
        Challenge bearer = lastBearer;
        if (bearer == null) {
            return Optional.empty();
        }
        Token t = tokens.get(cacheKey(bearer.param("realm"), bearer.param("service"), pullScope(request)));
        return t != null && t.expires().isAfter(clock.instant()) ? Optional.of("Bearer " + t.value()) : Optional.empty();
    }

    @Override
    public Answer challenged(UpstreamRequest request, Optional<String> sent, Headers response) {
        if (auth instanceof OciConfig.Auth.Bearer) {
            return new Answer.GiveUp(); // the configured token was sent and refused
        }
        for (String header : response.all("WWW-Authenticate")) {
            Optional<Challenge> c = Challenge.parse(header);
            if (c.isEmpty()) {
                continue;
            }
            if (c.get().scheme().equals("bearer") && !c.get().param("realm").isEmpty()) {
                return bearer(request, sent, c.get());
            }
            if (c.get().scheme().equals("basic") && auth instanceof OciConfig.Auth.Basic basic) {
                basicUpFront = true;
                return new Answer.Retry(basicValue(basic));
            }
        }
        return new Answer.GiveUp();
    }

    private Answer bearer(UpstreamRequest request, Optional<String> sent, Challenge c) {
        lastBearer = c;
        String scope = c.param("scope").isEmpty() ? pullScope(request) : c.param("scope");
        String key = cacheKey(c.param("realm"), c.param("service"), scope);
        Token cached = tokens.get(key);
        if (cached != null && cached.expires().isAfter(clock.instant())) {
            if (!sent.equals(Optional.of("Bearer " + cached.value()))) {
                return new Answer.Retry("Bearer " + cached.value()); // fetched meanwhile by another request
            }
            // the upstream refused a token we still hold: fetch a new one rather than resend it
            tokens.remove(key, cached);
        }
        CompletableFuture<Token> mine = new CompletableFuture<>();
        CompletableFuture<Token> running = fetching.putIfAbsent(key, mine);
        if (running == null) {
            try {
                Token t = fetchToken(c.param("realm"), c.param("service"), scope);
                if (t != null) {
                    if (tokens.size() >= MAX_CACHED_TOKENS) {
                        tokens.values().removeIf(old -> !old.expires().isAfter(clock.instant()));
                    }
                    tokens.put(key, t);
                }
                mine.complete(t);
            } catch (IOException e) {
                mine.completeExceptionally(e);
            } finally {
                fetching.remove(key, mine);
            }
            running = mine;
        }
        try {
            Token t = running.join();
            return t == null ? new Answer.GiveUp() : new Answer.Retry("Bearer " + t.value());
        } catch (CompletionException e) {
            return new Answer.Unavailable("token endpoint " + c.param("realm") + ": " + e.getCause().getMessage());
        }
    }

    /**
     * Asks the token endpoint. Returns null when it refuses (401/403: wrong credentials, no access), so
     * the upstream's 401 stands; throws when it cannot answer.
     */
    private Token fetchToken(String realm, String service, String scope) throws IOException {
        StringBuilder q = new StringBuilder();
        if (!service.isEmpty()) q.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
        if (!scope.isEmpty()) q.append(q.isEmpty() ? "" : "&").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        URI uri;
        try {
            uri = URI.create(realm + (q.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + q));
        } catch (IllegalArgumentException e) {
            throw new IOException("bad realm " + realm);
        }
        HttpRequest.Builder b = JdkUpstreamTransport.requestTo(transport, uri).timeout(transport.headerTimeout()).GET()
                .header("User-Agent", transport.userAgent());
        if (auth instanceof OciConfig.Auth.Basic basic) {
            b.header("Authorization", basicValue(basic));
        }
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        try (InputStream body = resp.body()) {
            if (resp.statusCode() == 401 || resp.statusCode() == 403) {
                LOG.warn("[{}] token endpoint {} refused {} ({})", instance, realm, scope, resp.statusCode());
                return null;
            }
            if (resp.statusCode() != 200) {
                throw new IOException("answered " + resp.statusCode());
            }
            byte[] bytes = body.readNBytes(MAX_TOKEN_RESPONSE + 1);
            if (bytes.length > MAX_TOKEN_RESPONSE) {
                throw new IOException("token response larger than 1 MiB");
            }
            return parseToken(JSON.readTree(bytes));
        }
    }

    private Token parseToken(JsonNode json) throws IOException {
        String value = json.path("token").asText("");
        if (value.isEmpty()) {
            value = json.path("access_token").asText("");
        }
        if (value.isEmpty()) {
            throw new IOException("token response without token");
        }
        long seconds = json.path("expires_in").asLong(0);
        Duration lifetime = seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_TOKEN_LIFETIME;
        Instant issued = clock.instant();
        if (json.hasNonNull("issued_at")) {
            try {
                Instant stated = OffsetDateTime.parse(json.get("issued_at").asText()).toInstant();
                issued = stated.isBefore(issued) ? stated : issued; // a clock ahead of ours must not extend it
            } catch (RuntimeException ignored) {
                // not RFC 3339: count from now
            }
        }
        // renew a little early, so no request leaves with a token that expires on the way
        Duration margin = lifetime.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofSeconds(30) : Duration.ZERO;
        return new Token(value, issued.plus(lifetime).minus(margin));
    }

    /** {@code repository:<name>:pull} for a Distribution API path ({@code v2/<name>/<route>/...}). */
    static String pullScope(UpstreamRequest request) {
        String[] s = request.encodedPath().split("/");
        for (int i = s.length - 2; i >= 2; i--) {
            if (ROUTE_WORDS.contains(s[i])) {
                return "repository:" + String.join("/", List.of(s).subList(1, i)) + ":pull";
            }
        }
        return "";
    }

    private static String cacheKey(String realm, String service, String scope) {
        return realm + " " + service + " " + scope;
    }

    private static String basicValue(OciConfig.Auth.Basic b) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (b.username() + ":" + b.password()).getBytes(StandardCharsets.UTF_8));
    }
}
