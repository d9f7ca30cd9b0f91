package dev.cacheproxy.server.access;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An instance's {@code access} block: what anonymous clients may do, the client networks allowed at all
 * (empty: any), and the principals. Holds token hashes and file paths, never a token.
 */
public record AccessSettings(Scope anonymous, List<String> networks, List<Principal> principals) {
    /** No {@code access} block: anyone may read, as the Go project's instances. */
    public static final AccessSettings OPEN = new AccessSettings(Scope.READ, List.of(), List.of());

    /** What a principal may do; each level includes the ones before it. */
    public enum Scope { NONE, READ, WRITE }

    /**
     * One principal: a {@code name} for the log; a token (its SHA-256 as hex, or a file holding the token,
     * re-read when it changes) sent as {@code Authorization: Bearer <token>}, as the password of
     * {@code Authorization: Basic}, or bare; and/or a client certificate subject (mutual TLS).
     */
    public record Principal(String name, Scope scope, Optional<String> tokenSha256, Optional<Path> tokenFile,
            Optional<String> tlsSubject) {}

    public boolean isOpen() {
        return anonymous == Scope.READ && networks.isEmpty() && principals.isEmpty();
    }
}
