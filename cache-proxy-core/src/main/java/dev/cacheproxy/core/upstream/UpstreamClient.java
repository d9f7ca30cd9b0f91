package dev.cacheproxy.core.upstream;

import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.http.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP client of one instance (configured from its {@code transport} block, over an
 * {@link UpstreamTransport}) with ordered failover across its upstream bases and redirects followed by our own code.
 *
 * <p>Failover ({@link Failover}): a network failure, a timeout, a 5xx or a 429 moves on to the next
 * base; any other answer (200, 304, 404, 403, ...) is returned as is, unless the instance's failover
 * also moves on after a 404/410 (GOPROXY lists). The last base's answer is returned whatever it is, so a
 * 503 upstream reaches the engine as a 503, never as a 404.
 *
 * <p>Health: the bases are tried healthiest first, each base's host having one {@link UpstreamHealth}
 * breaker shared through the server's {@link UpstreamHealthRegistry}; an open base is left out (while
 * another is not) until its canary request, {@code canary_cooldown} after it opened, finds it answering.
 * Every answer is recorded: network failures, timeouts, 5xx and 4xx other than 404/410 count as failures.
 *
 * <p>Targets: every URL is built by {@link UpstreamTarget#resolve} and refused, without a request, when
 * it would leave its base (see there).
 *
 * <p>Redirects: up to {@value #MAX_REDIRECTS} hops, http(s) only. A hop on the base's own host must stay
 * below the base (the same check as the first URL); a hop to another host (a blob CDN, a download
 * mirror) is followed without credentials ({@code Authorization}, {@code Cookie}), which never reach
 * another host. A loop, a longer chain or a redirect without {@code Location} is a failure (502), never
 * a bare 3xx handed to the client.
 *
 * <p>Credentials in a base URL ({@code https://user:secret@host/}) are split off here and sent as Basic
 * authentication to that base's host when no {@link UpstreamAuth} answers; the URL itself, in logs and
 * errors, never carries them ({@link UpstreamUrls}).
 *
 * <p>Authentication: an {@link UpstreamAuth} adds what it already knows to each request and answers
 * one 401 challenge of the upstream's own host per request (registry token flows); the request is
 * then sent again from the start.
 *
 * <p>Blocking: call from virtual threads.
 */
public final class UpstreamClient {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);
    static final int MAX_REDIRECTS = 5;
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "cookie", "proxy-authorization");
    /** Hop-by-hop headers and those the transport sets itself: never forwarded. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "transfer-encoding", "keep-alive", "te", "trailer");

    private final String instance;
    private final List<Base> bases;
    private final TransportSettings transport;
    private final UpstreamTransport wire;
    private final CacheEvents events;
    private final UpstreamAuth auth;
    private final AllowedTargets allowed;
    private final Failover failover;
    /** One breaker per base, by index; see {@link #candidates}. */
    private final List<UpstreamHealth> health;
    private final LongSupplier nanos;
    /** Stamps the breakers' last outcomes (the registry's clock). */
    private final java.time.InstantSource wallClock;

    public UpstreamClient(String instance, List<URI> bases, TransportSettings transport, CacheEvents events) {
        this(instance, bases, transport, events, UpstreamAuth.NONE);
    }

    public UpstreamClient(String instance, List<URI> bases, TransportSettings transport, CacheEvents events,
            UpstreamAuth auth) {
        this(instance, bases, transport, events, auth, AllowedTargets.NONE);
    }

    /** @param allowed absolute URLs outside {@code bases} this instance may fetch (see {@link AllowedTargets}) */
    public UpstreamClient(String instance, List<URI> bases, TransportSettings transport, CacheEvents events,
            UpstreamAuth auth, AllowedTargets allowed) {
        this(instance, bases, transport, events, auth, allowed, Failover.ON_FAILURE);
    }

    /** @param failover when the next base is asked (see {@link Failover}) */
    public UpstreamClient(String instance, List<URI> bases, TransportSettings transport, CacheEvents events,
            UpstreamAuth auth, AllowedTargets allowed, Failover failover) {
        this(instance, bases, transport, events, auth, allowed, failover, new UpstreamHealthRegistry());
    }

    /** @param health the server's breakers, shared by every instance that uses the same upstream host */
    public UpstreamClient(String instance, List<URI> bases, TransportSettings transport, CacheEvents events,
            UpstreamAuth auth, AllowedTargets allowed, Failover failover, UpstreamHealthRegistry health) {
        this(instance, bases, transport, events, auth, allowed, failover, health, UpstreamTransport.JDK);
    }

    /** @param transports makes the wire this client's requests go over (the server's Netty client) */
    public UpstreamClient(String instance, List<URI> bases, TransportSettings transport, CacheEvents events,
            UpstreamAuth auth, AllowedTargets allowed, Failover failover, UpstreamHealthRegistry health,
            UpstreamTransport.Factory transports) {
        this(instance, bases, transport, events, auth, allowed, failover, health, transports, System::nanoTime);
    }

    /** @param nanos the clock of the breakers' windows and cooldowns (tests move it) */
    UpstreamClient(String instance, List<URI> bases, TransportSettings transport, CacheEvents events,
            UpstreamAuth auth, AllowedTargets allowed, Failover failover, UpstreamHealthRegistry health,
            UpstreamTransport.Factory transports, LongSupplier nanos) {
        if (bases.isEmpty()) {
            throw new IllegalArgumentException("at least one upstream is required");
        }
        this.instance = instance;
        this.bases = bases.stream().map(u -> new Base(UpstreamUrls.withoutCredentials(u),
                UpstreamUrls.basicAuthorization(u))).toList();
        this.transport = transport;
        this.events = events;
        this.auth = auth;
        this.allowed = allowed;
        this.failover = failover;
        this.health = this.bases.stream().map(b -> health.of(b.url(), transport.health(), instance)).toList();
        this.wallClock = health.clock();
        this.nanos = nanos;
        this.wire = new HostConnectionLimit(transports.create(transport), transport.maxConnsPerHost(),
                transport.headerTimeout());
    }

    /** One upstream base: its URL without credentials, and the Basic authorization its URL carried. */
    private record Base(URI url, Optional<String> basic) {}

    /**
     * Sends {@code request} to each base in order until one answers acceptably (see class doc); an
     * absolute request once, to its URL: as the configured base it is below (credentials included), else when
     * {@link AllowedTargets} allow it (without credentials).
     */
    public UpstreamResult send(UpstreamRequest request) {
        if (request.absolute() != null) {
            return sendAbsolute(request);
        }
        Plan plan = candidates(request.preferred());
        List<Integer> order = plan.order();
        UpstreamResult last = null;
        String failure = null; // what went wrong with an earlier candidate, if anything did
        for (int k = 0; k < order.size(); k++) {
            int i = order.get(k);
            boolean lastCandidate = k == order.size() - 1;
            UpstreamResult r = sendAndRecord(i, request, i == plan.canary());
            if (r instanceof UpstreamResult.Answered a && (a.status() >= 500 || a.status() == 429) && !lastCandidate) {
                a.close();
                last = r;
                failure = "an upstream answered " + a.status();
                continue;
            }
            if (r instanceof UpstreamResult.Failed f && !lastCandidate) {
                last = r;
                failure = f.detail();
                continue;
            }
            if (r instanceof UpstreamResult.Answered a && (a.status() == 404 || a.status() == 410)
                    && failover == Failover.ON_FAILURE_OR_MISSING) {
                if (!lastCandidate) {
                    a.close();
                    last = r;
                    continue;
                }
                if (failure != null) {
                    a.close();
                    // a candidate that could not answer might have had it: "not found" would be a guess
                    return new UpstreamResult.Failed(false, failure + "; the others do not have it");
                }
            }
            return r;
        }
        return last;
    }

    /**
     * The bases to try for one request, by index: an open base whose canary is due first (it is re-admitted
     * only by answering), then the others that are not open, healthiest first (configured order among
     * equals; the {@code preferred} base, if not open, before them). Open bases are left out, unless every
     * base is open: then all are tried, in configured order.
     */
    private Plan candidates(URI preferred) {
        long now = nanos.getAsLong();
        List<Integer> order = new ArrayList<>(bases.size());
        int canary = -1;
        for (int i = 0; i < bases.size() && canary < 0; i++) {
            if (bases.size() > 1 && health.get(i).takeCanary(now)) {
                canary = i;
                order.add(i);
            }
        }
        List<Integer> rest = new ArrayList<>();
        double[] weight = new double[bases.size()];
        for (int i = 0; i < bases.size(); i++) {
            weight[i] = health.get(i).weight(now);
            if (!order.contains(i) && health.get(i).state() != UpstreamHealth.State.OPEN) {
                rest.add(i);
            }
        }
        rest.sort(Comparator.comparingDouble((Integer i) -> -weight[i]));
        if (preferred != null) {
            String wanted = UpstreamUrls.display(preferred);
            for (int k = 0; k < rest.size(); k++) {
                if (UpstreamUrls.display(bases.get(rest.get(k)).url()).equals(wanted)) {
                    rest.add(0, rest.remove(k));
                    break;
                }
            }
        }
        order.addAll(rest);
        if (order.isEmpty()) {
            for (int i = 0; i < bases.size(); i++) {
                order.add(i);
            }
        }
        return new Plan(order, canary);
    }

    /** The bases of one request in the order to try them, and the one that was given its canary turn (or -1). */
    private record Plan(List<Integer> order, int canary) {}

    /** Sends to base {@code i} and tells its breaker how that went (a canary's turn ends with it). */
    private UpstreamResult sendAndRecord(int i, UpstreamRequest request, boolean canary) {
        UpstreamHealth h = health.get(i);
        long start = nanos.getAsLong();
        UpstreamResult r;
        try {
            r = sendTo(bases.get(i), request);
        } catch (RuntimeException | Error e) {
            if (canary) {
                h.canaryDone();
            }
            throw e;
        }
        long end = nanos.getAsLong();
        Boolean success = switch (r) {
            // a refusal of ours or an interrupted request says nothing about the upstream
            case UpstreamResult.Failed f -> f.detail().startsWith("refused") || f.detail().equals("interrupted") ? null : false;
            case UpstreamResult.Answered a -> a.status() < 400 || a.status() == 404 || a.status() == 410;
        };
        if (success != null) {
            h.record(success, end - start, end).ifPresent(t -> transition(i, t));
            h.remember(success ? null : switch (r) {
                case UpstreamResult.Failed f -> f.detail();
                case UpstreamResult.Answered a -> "answered " + a.status();
            }, wallClock.instant());
        }
        if (canary) {
            h.canaryDone();
        }
        return r;
    }

    private void transition(int i, UpstreamHealth.Transition t) {
        String upstream = UpstreamUrls.display(bases.get(i).url());
        if (t.to() == UpstreamHealth.State.OPEN) {
            LOG.warn("[{}] upstream {}: circuit {} (requests go to the other upstreams; a canary request retries it"
                    + " after canary_cooldown)", instance, upstream, t.event());
        } else {
            LOG.info("[{}] upstream {}: circuit {}", instance, upstream, t.event());
        }
        events.upstreamCircuit(instance, upstream, t.from().label(), t.to().label());
    }

    /** Each base's breaker state and weight now, in configured order (for status pages). */
    public List<BaseHealth> health() {
        long now = nanos.getAsLong();
        List<BaseHealth> out = new ArrayList<>();
        for (int i = 0; i < bases.size(); i++) {
            out.add(new BaseHealth(UpstreamUrls.display(bases.get(i).url()), health.get(i).state(), health.get(i).weight(now)));
        }
        return out;
    }

    /** One base's health as a status page shows it (the URL without credentials). */
    public record BaseHealth(String upstream, UpstreamHealth.State state, double weight) {}

    static URI resolve(URI base, UpstreamRequest request) {
        return UpstreamTarget.resolve(base, request.encodedPath(), request.rawQuery());
    }

    private UpstreamResult sendAbsolute(UpstreamRequest request) {
        URI target = request.absolute();
        if (target.getRawUserInfo() == null) {
            for (Base base : bases) {
                if (UpstreamTarget.within(base.url(), target)) {
                    // below a configured upstream: sent as that upstream, with its credentials or token
                    return exchange(base, target, request, true);
                }
            }
        }
        // within() (through baseOf) refuses every spelling of a dot segment below the allowed base
        Optional<URI> scope = target.getRawUserInfo() == null ? allowed.baseOf(target) : Optional.empty();
        if (scope.isEmpty()) {
            LOG.warn("[{}] refused to fetch {}: not below an allowed upstream", instance, UpstreamUrls.display(target));
            return new UpstreamResult.Failed(false, "refused: " + UpstreamUrls.display(target)
                    + " is not below an allowed upstream");
        }
        // credentials and registry tokens belong to the configured upstream, never to another host
        return exchange(new Base(scope.get(), Optional.empty()), target, request, false);
    }

    private UpstreamResult sendTo(Base base, UpstreamRequest request) {
        URI uri;
        try {
            uri = resolve(base.url(), request);
        } catch (UpstreamTarget.OutsideBaseException e) {
            LOG.warn("[{}] refused to fetch below {}: {}", instance, UpstreamUrls.display(base.url()), e.getMessage());
            return new UpstreamResult.Failed(false, "refused: " + e.getMessage());
        }
        return exchange(base, uri, request, true);
    }

    /** One request to {@code uri} (below {@code base}), with the challenge, redirects and failures of the class doc. */
    private UpstreamResult exchange(Base base, URI uri, UpstreamRequest request, boolean credentials) {
        long start = System.nanoTime();
        String originalHost = hostPort(uri);
        URI first = uri;
        Optional<String> sentAuthorization = credentials ? auth.authorization(request).or(base::basic) : Optional.empty();
        Headers headers = withAuthorization(credentials ? request.headers() : withoutCredentials(request.headers()),
                sentAuthorization);
        boolean challenged = !credentials; // no token flow towards a host that is not the upstream
        Set<URI> visited = new HashSet<>();
        try {
            for (int hop = 0; ; hop++) {
                visited.add(uri);
                UpstreamTransport.Answer resp = wire.exchange(uri, request.method(), wireHeaders(headers),
                        request.body());
                int status = resp.status();
                if (status == 401 && !challenged && hostPort(uri).equals(originalHost)) {
                    // one answer to the challenge per request, from the start: the retry's answer is final
                    challenged = true;
                    switch (auth.challenged(request, sentAuthorization, resp.headers())) {
                        case UpstreamAuth.Answer.Retry r -> {
                            resp.body().close();
                            uri = first;
                            headers = withAuthorization(request.headers(), Optional.of(r.authorization()));
                            continue;
                        }
                        case UpstreamAuth.Answer.Unavailable u -> {
                            resp.body().close();
                            return failed(start, false, u.detail());
                        }
                        case UpstreamAuth.Answer.GiveUp g -> { }
                    }
                }
                if (isRedirect(status)) {
                    resp.body().close();
                    String location = resp.headers().first("Location").orElse(null);
                    if (location == null) {
                        return failed(start, false, "upstream " + originalHost + " answered " + status + " without a Location");
                    }
                    if (hop >= MAX_REDIRECTS) {
                        return failed(start, false, "upstream " + originalHost + " redirected more than "
                                + MAX_REDIRECTS + " times");
                    }
                    URI next = uri.resolve(location.trim()).normalize();
                    String refused = refusedRedirect(base.url(), originalHost, next, visited);
                    if (refused != null) {
                        return failed(start, false, "upstream " + originalHost + " redirect refused: " + refused);
                    }
                    uri = next;
                    if (!hostPort(uri).equals(originalHost)) {
                        headers = withoutCredentials(headers);
                    }
                    continue;
                }
                if (status == 407) { // our proxy's refusal: never the client's to answer, and no miss
                    resp.body().close();
                    return failed(start, false, proxyRefused(originalHost));
                }
                events.upstreamResponse(instance, status, Duration.ofNanos(System.nanoTime() - start));
                InputStream body = BodyDeadlines.guard(resp.body(), transport.idleBodyTimeout(),
                        transport.maxRequestDuration());
                return new UpstreamResult.Answered(status, resp.headers(), body, uri, base.url());
            }
        } catch (HttpConnectTimeoutException e) {
            return failed(start, false, "connect to " + originalHost + " timed out");
        } catch (HostConnectionLimit.Busy e) {
            // "refused": a limit of ours, which says nothing about the upstream's health (sendAndRecord)
            return failed(start, true, "refused: " + originalHost + ": " + e.getMessage());
        } catch (HttpTimeoutException e) {
            return failed(start, true, "no response headers from " + originalHost + " within header_timeout");
        } catch (IOException e) {
            return failed(start, false, "upstream " + originalHost + " unreachable: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(start, false, "interrupted");
        } catch (IllegalArgumentException e) {
            return failed(start, false, "bad upstream URL: " + e.getMessage());
        }
    }

    private String proxyRefused(String upstreamHost) {
        return transport.proxy().map(p -> "the proxy " + p.getHost() + ":" + transport.proxyPort()
                        + " refused the request to " + upstreamHost + " (407): "
                        + TransportSettings.proxyRefusal(transport.proxyAuthorization().isPresent()))
                .orElse("upstream " + upstreamHost + " answered 407 (proxy authentication); is transport.proxy missing?");
    }

    private UpstreamResult failed(long start, boolean timeout, String detail) {
        events.upstreamResponse(instance, 0, Duration.ofNanos(System.nanoTime() - start));
        return new UpstreamResult.Failed(timeout, detail);
    }

    /** What goes over the wire: {@code headers} without hop-by-hop ones, with our {@code User-Agent}. */
    private Headers wireHeaders(Headers headers) {
        Headers.Builder b = Headers.builder();
        b.add("User-Agent", transport.userAgent());
        headers.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!RESTRICTED.contains(lower) && !lower.equals("user-agent")) {
                b.add(name, value);
            }
        });
        return b.build();
    }

    private static Headers withAuthorization(Headers headers, Optional<String> authorization) {
        return authorization.map(a -> headers.with("Authorization", a)).orElse(headers);
    }

    private static Headers withoutCredentials(Headers headers) {
        Headers.Builder b = Headers.builder();
        headers.forEach((k, v) -> {
            if (!CREDENTIAL_HEADERS.contains(k.toLowerCase(Locale.ROOT))) {
                b.add(k, v);
            }
        });
        return b.build();
    }

    /** Why a redirect to {@code next} is not followed, or null when it is. */
    private static String refusedRedirect(URI base, String originalHost, URI next, Set<URI> visited) {
        if (next.getScheme() == null || !(next.getScheme().equalsIgnoreCase("http")
                || next.getScheme().equalsIgnoreCase("https")) || next.getHost() == null) {
            return "not an http(s) URL";
        }
        if (visited.contains(next)) {
            return "redirect loop";
        }
        if (hostPort(next).equals(originalHost) && next.getScheme().equalsIgnoreCase(base.getScheme())
                && !UpstreamTarget.within(base, next)) {
            return "it leaves the upstream base";
        }
        return null;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static String hostPort(URI uri) {
        return (uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT)) + ":" + uri.getPort();
    }
}
