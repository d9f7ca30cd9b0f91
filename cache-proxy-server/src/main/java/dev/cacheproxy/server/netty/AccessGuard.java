package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.path.RequestPath;
import dev.cacheproxy.server.access.AccessControl;
import dev.cacheproxy.server.access.AccessSettings;
import java.util.Map;
import java.util.Optional;

/**
 * Each instance's access rules, applied by the dispatchers once a request's instance is known and before
 * the instance routes it (hits included): a refusal is worded by the instance ({@link ModeInstance#refused}).
 */
public final class AccessGuard {
    /** No rules anywhere: every instance is open to read, as without {@code access} blocks. */
    public static final AccessGuard OPEN = new AccessGuard(Map.of());

    private static final AccessControl OPEN_RULES = new AccessControl("-", AccessSettings.OPEN);

    private volatile Map<String, AccessControl> byInstance;

    public AccessGuard(Map<String, AccessControl> byInstance) {
        this.byInstance = Map.copyOf(byInstance);
    }

    /** New rules for the requests from now on (a configuration reload); requests already admitted go on. */
    public void replace(Map<String, AccessControl> rules) {
        this.byInstance = Map.copyOf(rules);
    }

    /**
     * The outcome of an instance's rules for one request: the principal recognised (null without rules, so
     * the access log of an open instance stays as it was) and, when refused, the instance's refusal.
     */
    record Verdict(String principal, Optional<ProxyResponse> refusal) {
        static final Verdict UNCHECKED = new Verdict(null, Optional.empty());
    }

    /**
     * @param below the request's path below the instance's mount. An upload the instance stores is a write
     *     even where no rules were written: anonymous clients may only read, so it is checked (and refused).
     */
    Verdict check(String name, ModeInstance instance, IncomingRequest in, RequestPath below) {
        AccessControl rules = byInstance.getOrDefault(name, OPEN_RULES);
        if (rules.isOpen() && !instance.streamsUpload(in.method(), below)) {
            return Verdict.UNCHECKED;
        }
        return switch (rules.check(in.headers(), in.client(), in.tlsSubject(), instance.writes(in.method()))) {
            case AccessControl.Decision.Allowed a -> new Verdict(a.principal(), Optional.empty());
            case AccessControl.Decision.Refused r -> {
                ProxyResponse refusal = instance.refused(r.status(), r.reason(), "cache-proxy " + name);
                yield new Verdict(null, Optional.of(r.retryAfterSeconds() > 0
                        ? refusal.withHeaders(refusal.headers().with("Retry-After", String.valueOf(r.retryAfterSeconds())))
                        : refusal));
            }
        };
    }

    /** The rules of one instance (admin operations ask them for an {@code admin} principal), or empty. */
    public Optional<AccessControl> rules(String name) {
        return Optional.ofNullable(byInstance.get(name));
    }
}
