package dev.cacheproxy.server.admin;

import dev.cacheproxy.core.config.ByteSize;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.index.EntryUsage;
import dev.cacheproxy.core.mode.ModeInstance;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The built-in endpoints of the main listener: {@code /} (a plain page listing the instances),
 * {@code /-/healthz} (the process answers), {@code /-/readyz} (listeners bound and storage writable)
 * and the metrics path (Prometheus text, behind {@code metrics.token} when one is set).
 */
public final class AdminEndpoints {
    /** An instance as the admin pages show it: its name, mode, where clients reach it, and the instance itself. */
    public record InstanceInfo(String name, String mode, String mountPath, boolean dedicatedListener, String bind,
            ModeInstance instance) {
        /** Where clients reach the instance: below {@code baseUrl}, or its own listener. */
        public String url(String baseUrl) {
            return dedicatedListener ? (baseUrl.startsWith("https:") ? "https://" : "http://") + bind : baseUrl + mountPath;
        }
    }

    private final String metricsPath;
    private final Optional<String> token;
    private final Supplier<String> scrape;
    private final BooleanSupplier listenersBound;
    private final BooleanSupplier storageWritable;
    private final List<InstanceInfo> instances;
    private final Supplier<String> upstreams;
    private final StorageView storage;
    private volatile StatusReport status;

    /** What the admin pages (home, readiness, {@code /-/status}, the dashboard) say about the storage. */
    public interface StorageView {
        /** {@code file} or {@code s3}. */
        String backend();

        long storedBytes();

        long storedObjects();

        /** {@code storage.max_size}; 0 without a quota. */
        long quotaBytes();

        long freeBytes();

        /** Whether fills pass through for want of space (readiness says so, and stays ready). */
        boolean full();

        /** The entries of one instance and the bytes they hold. */
        default EntryUsage.Held held(String instance) {
            return new EntryUsage.Held(0, 0);
        }

        /** One line: bytes stored, the quota, free space, and whether bodies are being stored. */
        default String summary() {
            return line(storedBytes(), storedObjects(), quotaBytes(), freeBytes(), full());
        }

        /** The storage line of the home page and the dashboard. */
        static String line(long stored, long objects, long quota, long free, boolean full) {
            String ofQuota = quota > 0 ? String.format(java.util.Locale.ROOT, " of %s quota (%.0f%%)",
                    ByteSize.format(quota), 100.0 * stored / quota) : " (no quota)";
            return ByteSize.format(stored) + " in " + objects + " blobs" + ofQuota + ", " + ByteSize.format(free) + " free"
                    + (full ? "; FULL: fills pass through without being stored" : "");
        }

        /** No storage to speak of (admin pages built without one). */
        StorageView NONE = new StorageView() {
            @Override
            public String backend() {
                return "file";
            }

            @Override
            public long storedBytes() {
                return 0;
            }

            @Override
            public long storedObjects() {
                return 0;
            }

            @Override
            public long quotaBytes() {
                return 0;
            }

            @Override
            public long freeBytes() {
                return 0;
            }

            @Override
            public boolean full() {
                return false;
            }

            @Override
            public String summary() {
                return "";
            }
        };
    }

    public AdminEndpoints(String metricsPath, Optional<String> token, Supplier<String> scrape,
            BooleanSupplier listenersBound, BooleanSupplier storageWritable, List<InstanceInfo> instances) {
        this(metricsPath, token, scrape, listenersBound, storageWritable, instances, () -> "");
    }

    /** @param upstreams the upstream circuits, one line each, for the home page */
    public AdminEndpoints(String metricsPath, Optional<String> token, Supplier<String> scrape,
            BooleanSupplier listenersBound, BooleanSupplier storageWritable, List<InstanceInfo> instances,
            Supplier<String> upstreams) {
        this(metricsPath, token, scrape, listenersBound, storageWritable, instances, upstreams, StorageView.NONE);
    }

    /** @param storage the storage line of the home page, and the full-disk note of readiness */
    public AdminEndpoints(String metricsPath, Optional<String> token, Supplier<String> scrape,
            BooleanSupplier listenersBound, BooleanSupplier storageWritable, List<InstanceInfo> instances,
            Supplier<String> upstreams, StorageView storage) {
        this.storage = storage;
        this.upstreams = upstreams;
        this.metricsPath = metricsPath;
        this.token = token;
        this.scrape = scrape;
        this.listenersBound = listenersBound;
        this.storageWritable = storageWritable;
        this.instances = List.copyOf(instances);
    }

    private volatile EntryAdmin entryAdmin;

    /** Serves browse and purge at {@code /-/entries/<instance>} with {@code admin}. */
    public void entriesFrom(EntryAdmin admin) {
        this.entryAdmin = admin;
    }

    /** Serves {@code /-/status} from {@code report} (set once the server's parts exist). */
    public void statusFrom(StatusReport report) {
        this.status = report;
    }

    /** Whether the path is one of ours rather than an instance's. */
    public boolean owns(String rawPath) {
        return rawPath.equals("/") || rawPath.equals(metricsPath) || rawPath.equals("/-") || rawPath.startsWith("/-/");
    }

    /** The answer for a built-in path, or empty when the path belongs to the instances. */
    public Optional<ProxyResponse> handle(String method, String rawPath, Headers headers, String baseUrl) {
        return handle(method, rawPath, "", headers, null, null, baseUrl);
    }

    /** {@link #handle(String, String, Headers, String)} with the query and the client (for the entry operations). */
    /** @param tlsSubject the verified client certificate's subject, or null (an admin principal may be one) */
    public Optional<ProxyResponse> handle(String method, String rawPath, String rawQuery, Headers headers,
            java.net.InetAddress client, String tlsSubject, String baseUrl) {
        if (!owns(rawPath)) {
            return Optional.empty();
        }
        EntryAdmin entries = entryAdmin;
        if (entries != null && EntryAdmin.owns(rawPath)) {
            return Optional.of(entries.handle(method, rawPath, rawQuery, headers, client, tlsSubject));
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Optional.of(ProxyResponse.Document.text(405, "method not allowed: only GET and HEAD are served\n")
                    .withHeader("Allow", "GET, HEAD"));
        }
        return Optional.of(switch (rawPath) {
            case "/" -> status != null && headers.first("Accept").orElse("").contains("text/html")
                    ? new ProxyResponse.Document(200, Headers.of("Content-Type", "text/html; charset=utf-8",
                            "Cache-Control", "no-store"), Dashboard.render(status.tree(baseUrl), metricsPath))
                    : home(baseUrl);
            case "/-/healthz" -> ProxyResponse.Document.text(200, "ok\n");
            case "/-/readyz" -> readiness();
            case "/-/status" -> status == null ? ProxyResponse.Document.text(404, "not found\n")
                    : json(status.json(baseUrl));
            default -> rawPath.equals(metricsPath) ? metrics(headers)
                    : rawPath.startsWith(STATUS_OF) && status != null ? instanceStatus(rawPath.substring(STATUS_OF.length()), baseUrl)
                    : ProxyResponse.Document.text(404, "not found\n");
        });
    }

    /** {@code /-/status/<instance>}: one instance's part of the status report. */
    private static final String STATUS_OF = "/-/status/";

    private ProxyResponse instanceStatus(String name, String baseUrl) {
        return status.instanceJson(name, baseUrl).map(AdminEndpoints::json)
                .orElseGet(() -> ProxyResponse.Document.text(404, "no such instance\n"));
    }

    private static ProxyResponse json(byte[] body) {
        return new ProxyResponse.Document(200, Headers.of("Content-Type", "application/json", "Cache-Control", "no-store"),
                body);
    }

    private ProxyResponse readiness() {
        boolean bound = listenersBound.getAsBoolean();
        boolean writable = storageWritable.getAsBoolean();
        if (bound && writable) {
            // A node whose disk is full still serves every hit and passes misses through: taking it out of
            // the load balancer would only move its load onto the others and the upstream.
            return ProxyResponse.Document.text(200, storage.full()
                    ? "ready (storage full: fills pass through without being stored)\n" : "ready\n");
        }
        String why = (bound ? "" : "listeners not bound; ") + (writable ? "" : "storage not writable; ");
        return ProxyResponse.Document.text(503, "not ready: " + why.substring(0, why.length() - 2) + "\n")
                .withHeader("Retry-After", "5");
    }

    private ProxyResponse metrics(Headers headers) {
        if (token.isPresent()) {
            String auth = headers.first("Authorization").orElse("");
            byte[] given = auth.getBytes(StandardCharsets.UTF_8);
            byte[] wanted = ("Bearer " + token.get()).getBytes(StandardCharsets.UTF_8);
            if (!MessageDigest.isEqual(given, wanted)) {
                return ProxyResponse.Document.text(401, "unauthorized: metrics need Authorization: Bearer <token>\n")
                        .withHeader("WWW-Authenticate", "Bearer realm=\"metrics\"");
            }
        }
        return new ProxyResponse.Document(200,
                Headers.of("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
                scrape.get().getBytes(StandardCharsets.UTF_8));
    }

    private ProxyResponse home(String baseUrl) {
        StringBuilder sb = new StringBuilder();
        sb.append("cache-proxy\n\n");
        if (instances.isEmpty()) {
            sb.append("No instances are enabled.\n");
        }
        for (InstanceInfo i : instances) {
            String url = i.dedicatedListener() ? "http://" + i.bind() + "/" : baseUrl + i.mountPath() + "/";
            sb.append(String.format("%-20s %-8s %s%n", i.name(), i.mode(), url));
            String status = i.instance().status();
            if (!status.isEmpty()) {
                status.lines().forEach(line -> sb.append("    ").append(line).append('\n'));
            }
        }
        String stored = storage.summary();
        if (!stored.isEmpty()) {
            sb.append("\nStorage: ").append(stored).append('\n');
        }
        String circuits = upstreams.get();
        if (!circuits.isEmpty()) {
            sb.append("\nUpstream circuits (shared by the instances using each host):\n");
            circuits.lines().forEach(line -> sb.append("    ").append(line).append('\n'));
        }
        sb.append("\nHealth: /-/healthz  Readiness: /-/readyz  Status (JSON): /-/status  Metrics: ").append(metricsPath)
                .append('\n');
        return ProxyResponse.Document.text(200, sb.toString());
    }
}
