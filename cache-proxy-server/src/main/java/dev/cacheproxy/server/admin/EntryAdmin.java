package dev.cacheproxy.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.index.EntryStore;
import dev.cacheproxy.core.index.EntryUsage;
import dev.cacheproxy.server.access.AccessControl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Browse and purge the cached entries of an instance, at {@code /-/entries/<instance>}:
 * <ul>
 *   <li>{@code GET ?prefix=P&after=K&limit=N}: the entries whose key starts with P, in key order, after K,
 *       at most N (100, at most 1000): key, size, fetched and validated times; {@code next} is the
 *       {@code after} of the next page (null at the end). Each page reads the instance's index once.</li>
 *   <li>{@code DELETE ?key=K}, {@code ?prefix=P} or {@code ?all=true}: removes those entries (through the
 *       instance's index, so its hot cache forgets them: the next request is a {@code MISS}); their blobs
 *       go with the next blob GC once nothing references them. Remembered upstream 404s of the selected
 *       keys are forgotten too ({@code negative_cache_for}): the upstream is asked again.</li>
 * </ul>
 * Who may: the holder of {@code server.admin_token} ({@code Authorization: Bearer <token>}) on every
 * instance; a principal of the instance's {@code access} block with {@code scope: admin} (its token or
 * client certificate) on that instance; and, when no admin token is configured, loopback clients, but not
 * requests a reverse proxy forwarded (X-Forwarded-For, Forwarded): those come from loopback too. Every
 * operation is logged with who asked (never a token) and counted in
 * {@code cache_proxy_admin_operations_total{operation}}.
 */
public final class EntryAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(EntryAdmin.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PREFIX = "/-/entries/";
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final EntryStore entries;
    private final EntryUsage usage;
    private final Set<String> instances;
    private final Optional<String> token;
    private final MeterRegistry registry;
    private final Function<String, Optional<AccessControl>> rules;

    /** @param rules each instance's access rules, looked up per request (a reload replaces them) */
    public EntryAdmin(EntryStore entries, EntryUsage usage, Set<String> instances, Optional<String> token,
            MeterRegistry registry, Function<String, Optional<AccessControl>> rules) {
        this.rules = rules;
        this.entries = entries;
        this.usage = usage;
        this.instances = Set.copyOf(instances);
        this.token = token;
        this.registry = registry;
    }

    static boolean owns(String rawPath) {
        return rawPath.startsWith(PREFIX);
    }

    ProxyResponse handle(String method, String rawPath, String rawQuery, Headers headers, InetAddress client,
            String tlsSubject) {
        String instance = rawPath.substring(PREFIX.length());
        String who;
        switch (authorize(instance, headers, client, tlsSubject)) {
            case AccessControl.Decision.Allowed a -> who = a.principal();
            case AccessControl.Decision.Refused r -> {
                ProxyResponse.Document refusal = json(r.status(), error(r.reason()));
                return r.status() == 401 ? refusal.withHeader("WWW-Authenticate", "Bearer realm=\"cache-proxy admin\"")
                        : refusal;
            }
        }
        if (!instances.contains(instance)) {
            return json(404, error("no instance named '" + instance + "'"));
        }
        Map<String, String> q = query(rawQuery);
        try {
            return switch (method) {
                case "GET", "HEAD" -> browse(instance, q);
                case "DELETE" -> purge(instance, q, client + " as " + who);
                default -> ProxyResponse.Document.text(405, "method not allowed: GET, HEAD or DELETE\n")
                        .withHeader("Allow", "GET, HEAD, DELETE");
            };
        } catch (IllegalArgumentException e) {
            return json(400, error(e.getMessage()));
        } catch (IOException e) {
            LOG.warn("admin: {} {} failed: {}", method, rawPath, e.toString());
            return json(503, error("the index could not be read: " + e.getMessage()));
        }
    }

    private AccessControl.Decision authorize(String instance, Headers headers, InetAddress client, String tlsSubject) {
        String given = headers.first("Authorization").orElse("");
        if (token.isPresent() && MessageDigest.isEqual(("Bearer " + token.get()).getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8))) {
            return new AccessControl.Decision.Allowed("admin_token");
        }
        Optional<AccessControl> instanceRules = instances.contains(instance) ? rules.apply(instance) : Optional.empty();
        if (instanceRules.isPresent() && instanceRules.get().hasAdmins()) {
            AccessControl.Decision d = instanceRules.get().admin(headers, client, tlsSubject);
            if (d instanceof AccessControl.Decision.Allowed || !given.isEmpty() || token.isPresent()) {
                return d; // credentials were given (or loopback is not trusted): their verdict stands
            }
        }
        if (token.isPresent()) {
            return new AccessControl.Decision.Refused(401, "a valid admin token is required");
        }
        // a request a reverse proxy on this machine forwarded comes from loopback too: not trusted here
        boolean forwarded = headers.first("X-Forwarded-For").isPresent() || headers.first("Forwarded").isPresent();
        return client != null && client.isLoopbackAddress() && !forwarded ? new AccessControl.Decision.Allowed("loopback")
                : new AccessControl.Decision.Refused(403,
                        "admin operations need server.admin_token or an admin principal when not asked from this machine");
    }

    /** An entry of a page, with its last use (the later of its file's and the in-memory table's). */
    private record Listed(CacheEntry entry, long lastUsed) {}

    private ProxyResponse browse(String instance, Map<String, String> q) throws IOException {
        String prefix = q.getOrDefault("prefix", "");
        String after = q.getOrDefault("after", "");
        int limit = limit(q.get("limit"));
        // The first limit + 1 keys after `after`, in a heap bounded by the page: a page of a million entries
        // reads the whole index once but holds only the page in memory.
        PriorityQueue<Listed> page = new PriorityQueue<>(Comparator.comparing((Listed l) -> l.entry().key()).reversed());
        entries.forEach(instance, (inst, name, bytes, lastUsed) -> {
            EntryIndex.entryOf(name, bytes).filter(e -> e.key().startsWith(prefix) && e.key().compareTo(after) > 0)
                    .ifPresent(e -> {
                        page.add(new Listed(e, Math.max(lastUsed, usage.lastUsed(instance, e.key()))));
                        if (page.size() > limit + 1) {
                            page.poll();
                        }
                    });
            return true;
        });
        List<Listed> found = new ArrayList<>(page);
        found.sort(Comparator.comparing((Listed l) -> l.entry().key()));
        ObjectNode root = JSON.createObjectNode();
        root.put("instance", instance);
        ArrayNode list = root.putArray("entries");
        for (Listed l : found.subList(0, Math.min(limit, found.size()))) {
            CacheEntry e = l.entry();
            list.addObject().put("key", e.key()).put("size", e.size()).put("blob", e.blob().toString())
                    .put("fetched_at", e.fetchedAt().toString()).put("validated_at", e.validatedAt().toString())
                    .put("last_used", Instant.ofEpochMilli(l.lastUsed()).toString())
                    .put("verified", e.verified());
        }
        if (found.size() > limit) {
            root.put("next", found.get(limit - 1).entry().key());
        } else {
            root.putNull("next");
        }
        count("browse");
        return json(200, root);
    }

    private ProxyResponse purge(String instance, Map<String, String> q, String client) throws IOException {
        String key = q.get("key");
        String prefix = q.get("prefix");
        boolean all = "true".equals(q.get("all"));
        if ((key != null ? 1 : 0) + (prefix != null ? 1 : 0) + (all ? 1 : 0) != 1) {
            throw new IllegalArgumentException("say what to purge: exactly one of key=, prefix= or all=true");
        }
        Predicate<String> selected = k -> all || (key != null ? k.equals(key) : k.startsWith(prefix));
        List<String> keys = new ArrayList<>();
        entries.forEach(instance, (inst, name, bytes, lastUsed) -> {
            EntryIndex.entryOf(name, bytes).map(CacheEntry::key).filter(selected).ifPresent(keys::add);
            return true;
        });
        Optional<EntryUsage.Removal> live = usage.removal(instance);
        for (String k : keys) {
            if (live.isPresent()) {
                live.get().remove(k);
            } else {
                entries.delete(instance, EntryIndex.nameOf(k));
                usage.removed(instance, k);
            }
        }
        // remembered upstream 404s too: after a purge the upstream is asked again, for absent keys as well
        live.ifPresent(l -> l.forgetMisses(selected));
        LOG.info("admin: purged {} entr{} of {} ({}) for {}", keys.size(), keys.size() == 1 ? "y" : "ies", instance,
                key != null ? "key " + key : prefix != null ? "prefix " + prefix : "all", client);
        count("purge");
        ObjectNode root = JSON.createObjectNode();
        root.put("instance", instance);
        root.put("purged", keys.size());
        return json(200, root);
    }

    private void count(String operation) {
        Counter.builder("cache_proxy_admin_operations").description("Admin operations on cached entries (browse, purge)")
                .tag("operation", operation).register(registry).increment();
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("limit must be a number from 1 to " + MAX_LIMIT);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(name, value);
        }
        return q;
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static ProxyResponse.Document json(int status, ObjectNode body) {
        try {
            return new ProxyResponse.Document(status, Headers.of("Content-Type", "application/json",
                    "Cache-Control", "no-store"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
