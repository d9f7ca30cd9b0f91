package dev.cacheproxy.server.access;

import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.server.netty.TrustedProxies;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's access rules applied to a request: the client's network first (403 outside it), then who
 * the request is (a token in {@code Authorization}, or the client certificate's subject), then whether that
 * principal, or an anonymous client, may do what the request does (read or write). Tokens are compared by
 * their SHA-256 in constant time; a token file is read again when its modification time changes, so
 * revoking a token is editing a file.
 *
 * <p>Thread-safe: called on the event loops; the only state is the cache of token files.
 */
public final class AccessControl {
    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);

    /** The outcome: allowed as a principal (or {@code anonymous}), or refused with 401 or 403. */
    public sealed interface Decision {
        /** Allowed; {@code principal} is the name the log shows. */
        record Allowed(String principal) implements Decision {}

        /**
         * No principal, or one that may not do this: 401 (credentials would help) or 403 (they would not);
         * or 429, too many requests, with the seconds to wait.
         */
        record Refused(int status, String reason, long retryAfterSeconds) implements Decision {
            public Refused(int status, String reason) {
                this(status, reason, 0);
            }
        }
    }

    private final String instance;
    private final AccessSettings settings;
    private final TrustedProxies networks;
    private final Map<Path, FileToken> files = new ConcurrentHashMap<>();
    private final RateLimiter limiter;

    private record FileToken(FileTime modified, byte[] sha256) {}

    public AccessControl(String instance, AccessSettings settings) {
        this(instance, settings, System::nanoTime);
    }

    /** @param nanos the clock of the rate limit's buckets (tests move it) */
    AccessControl(String instance, AccessSettings settings, java.util.function.LongSupplier nanos) {
        this.instance = instance;
        this.settings = settings;
        this.networks = TrustedProxies.of(settings.networks());
        this.limiter = settings.rateLimit().map(r -> new RateLimiter(r.requestsPerSecond(), r.burst(), nanos)).orElse(null);
    }

    public boolean isOpen() {
        return settings.isOpen();
    }

    /**
     * @param write whether the request changes what the instance holds (an upload, a delete)
     * @param tlsSubject the verified client certificate's subject, or null
     */
    public Decision check(Headers headers, InetAddress client, String tlsSubject, boolean write) {
        AccessSettings.Scope needed = write ? AccessSettings.Scope.WRITE : AccessSettings.Scope.READ;
        if (!settings.networks().isEmpty() && (client == null || !networks.contains(client))) {
            return new Decision.Refused(403, "this instance is not served to your network");
        }
        Optional<String> token = token(headers);
        AccessSettings.Principal who = principal(token, tlsSubject);
        if (token.isPresent() && who == null) {
            return new Decision.Refused(401, "the token is not valid for this instance");
        }
        if (who == null && settings.anonymous().compareTo(needed) < 0) {
            if (settings.principals().isEmpty()) { // no credentials could help: say what the operator must add
                return new Decision.Refused(403, "nobody may " + (write ? "write" : "read")
                        + " here: the instance's access block names no principal that may");
            }
            return new Decision.Refused(401, write ? "writing needs credentials" : "reading needs credentials");
        }
        if (who != null && who.scope().compareTo(needed) < 0) {
            return new Decision.Refused(403, who.name() + " may not " + (write ? "write" : "read") + " here");
        }
        if (limiter != null) {
            String address = client == null ? "?" : client.getHostAddress();
            String key = who == null || settings.rateLimit().get().perAddress() ? "@" + address : who.name();
            long wait = limiter.take(key);
            if (wait > 0) {
                return new Decision.Refused(429, "too many requests: try again in " + wait + " s", wait);
            }
        }
        return new Decision.Allowed(who == null ? "anonymous" : who.name());
    }

    /**
     * Whether the request's credentials name a principal of this instance with the {@code admin} scope: its
     * name, or a refusal (401 without credentials or with an unknown token, 403 for a principal without it).
     * Networks apply as to any request; rate limits do not (admin calls are few, and must work under load).
     */
    public Decision admin(Headers headers, InetAddress client, String tlsSubject) {
        if (!settings.networks().isEmpty() && (client == null || !networks.contains(client))) {
            return new Decision.Refused(403, "this instance is not served to your network");
        }
        AccessSettings.Principal who = principal(token(headers), tlsSubject);
        if (who == null) {
            return new Decision.Refused(401, "admin operations need an admin principal's credentials");
        }
        return who.scope() == AccessSettings.Scope.ADMIN ? new Decision.Allowed(who.name())
                : new Decision.Refused(403, who.name() + " may not use admin operations here");
    }

    /**
     * The principal a request names: by its token when it carries one (null when no principal has it), else
     * by its client certificate's subject (null without a match).
     */
    private AccessSettings.Principal principal(Optional<String> token, String tlsSubject) {
        if (token.isPresent()) {
            byte[] given = sha256(token.get());
            return settings.principals().stream().filter(p -> matches(p, given)).findFirst().orElse(null);
        }
        if (tlsSubject != null) {
            return settings.principals().stream().filter(p -> p.tlsSubject().filter(tlsSubject::equals).isPresent())
                    .findFirst().orElse(null);
        }
        return null;
    }

    /** Whether any principal of this instance has the {@code admin} scope. */
    public boolean hasAdmins() {
        return settings.principals().stream().anyMatch(p -> p.scope() == AccessSettings.Scope.ADMIN);
    }

    private boolean matches(AccessSettings.Principal p, byte[] given) {
        Optional<byte[]> wanted = p.tokenSha256().map(hex -> HexFormat.of().parseHex(hex))
                .or(() -> p.tokenFile().flatMap(this::fileToken));
        return wanted.isPresent() && MessageDigest.isEqual(wanted.get(), given);
    }

    private Optional<byte[]> fileToken(Path file) {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            FileToken known = files.get(file);
            if (known != null && known.modified().equals(modified)) {
                return Optional.of(known.sha256());
            }
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                files.remove(file);
                return Optional.empty(); // an emptied file revokes the token
            }
            FileToken read = new FileToken(modified, sha256(token));
            files.put(file, read);
            return Optional.of(read.sha256());
        } catch (IOException e) {
            LOG.warn("[{}] access: token file {} unreadable ({}); its principal is refused", instance, file, e.toString());
            files.remove(file);
            return Optional.empty();
        }
    }

    /**
     * The token of {@code Authorization}: {@code Bearer <token>}; the password of {@code Basic} (pip, apt,
     * Maven put credentials there); or the bare value (cargo sends its token without a scheme).
     */
    static Optional<String> token(Headers headers) {
        Optional<String> auth = headers.first("Authorization").map(String::strip).filter(v -> !v.isEmpty());
        if (auth.isEmpty()) {
            return Optional.empty();
        }
        String v = auth.get();
        int space = v.indexOf(' ');
        String scheme = space < 0 ? "" : v.substring(0, space);
        if (scheme.equalsIgnoreCase("Bearer")) {
            return Optional.of(v.substring(space + 1).strip());
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            try {
                String pair = new String(Base64.getDecoder().decode(v.substring(space + 1).strip()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                return Optional.of(colon < 0 ? pair : pair.substring(colon + 1));
            } catch (IllegalArgumentException notBase64) {
                return Optional.of(v);
            }
        }
        return Optional.of(v);
    }

    /** SHA-256 of a token, as the YAML's {@code token_sha256} holds it (hex) and as compared. */
    public static byte[] sha256(String token) {
        return DigestAlgorithm.SHA256.newMessageDigest().digest(token.getBytes(StandardCharsets.UTF_8));
    }

    /** For {@code -validate} and the docs: the hex a YAML holds for {@code token}. */
    public static String sha256Hex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }
}
