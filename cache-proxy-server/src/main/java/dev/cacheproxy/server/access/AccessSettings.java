package dev.cacheproxy.server.access;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An instance's {@code access} block: what anonymous clients may do, the client networks allowed at all
 * (empty: any), and the principals. Holds token hashes and file paths, never a token.
 */
public record AccessSettings(Scope anonymous, List<String> networks, List<Principal> principals,
        Optional<RateLimit> rateLimit) {
    /** No {@code access} block: anyone may read, as the Go project's instances. */
    public static final AccessSettings OPEN = new AccessSettings(Scope.READ, List.of(), List.of(), Optional.empty());

    public AccessSettings(Scope anonymous, List<String> networks, List<Principal> principals) {
        this(anonymous, networks, principals, Optional.empty());
    }

    /**
     * {@code rate_limit}: {@code requests_per_second} with a {@code burst}, counted per principal (anonymous
     * clients per address) or, with {@code per: address}, per client address whoever it is.
     */
    public record RateLimit(double requestsPerSecond, int burst, boolean perAddress) {}

    /**
     * What a principal may do; each level includes the ones before it. {@code ADMIN} adds the admin operations
     * on this instance's entries ({@code /-/entries/<instance>}: browse and purge).
     */
    public enum Scope { NONE, READ, WRITE, ADMIN }

    /**
     * One principal: a {@code name} for the log; a token (its SHA-256 as hex, or a file holding the token,
     * re-read when it changes) sent as {@code Authorization: Bearer <token>}, as the password of
     * {@code Authorization: Basic}, or bare; and/or a client certificate subject (mutual TLS).
     */
    public record Principal(String name, Scope scope, Optional<String> tokenSha256, Optional<Path> tokenFile,
            Optional<String> tlsSubject) {}

    public boolean isOpen() {
        return anonymous == Scope.READ && networks.isEmpty() && principals.isEmpty() && rateLimit.isEmpty();
    }
}
