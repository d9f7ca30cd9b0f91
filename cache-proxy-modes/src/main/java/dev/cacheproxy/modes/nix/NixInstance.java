package dev.cacheproxy.modes.nix;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRequest;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.path.RequestPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code nix} instance: a Nix binary cache at its mount. Reads ({@code substituters = <mount URL>}):
 * {@code nix-cache-info} is always this cache's own; a {@code <hash>.narinfo} is the pushed one, else the first
 * upstream's that has it, served only when one of the trusted keys signed it (and with this cache's signature
 * added when it has a key); {@code nar/<file hash>.nar.<ext>} is verified against the hash its name carries, and
 * against the NarHash its narinfo gave where that is cheap ({@link NarHashCheck}). Writes ({@code nix copy
 * --to <mount URL>}, by principals the access rules give write) are {@link NixUploads}'.
 */
final class NixInstance implements ModeInstance {
    static final String NARINFO_TYPE = "text/x-nix-narinfo";
    static final String NAR_TYPE = "application/x-nix-nar";
    /** Stored with a pushed narinfo: the key of its NAR, checked on every read. */
    static final String NAR_KEY = "x-nix-nar";
    static final String PROTOCOL = "nix";
    /** Far above any narinfo (a few hundred bytes; thousands of references make tens of KiB). */
    static final int MAX_NARINFO = 1 << 20;
    private static final Pattern NARINFO = Pattern.compile("([0-9a-df-np-sv-z]{32})\\.narinfo");
    private static final Pattern NAR = Pattern.compile("nar/([0-9a-df-np-sv-z]{52})\\.nar(\\.[a-z0-9]+)?");
    /** Pulled narinfos live apart from pushed ones: a pushed record is never revalidated against an upstream. */
    static final String PULLED = "upstream/";
    private static final Pattern ROOT = Pattern.compile("gcroots/[A-Za-z0-9._-]{1,128}");

    private final String name;
    private final NixConfig config;
    private final HostedStore pushed;
    private final Optional<CacheEngine> pulled;
    private final BlobStore store;
    private final Optional<ClosureCollector> collector;
    private final NixUploads uploads;
    /** The NarHash of NARs whose narinfo was served lately, by NAR key: checked when the NAR is fetched. */
    private final Cache<String, NarInfo.NarDigest> narDigests = Caffeine.newBuilder().maximumSize(20_000).build();

    NixInstance(String name, NixConfig config, HostedStore pushed, Optional<CacheEngine> pulled, BlobStore store,
            Optional<ClosureCollector> collector) {
        this.name = name;
        this.config = config;
        this.pushed = pushed;
        this.pulled = pulled;
        this.store = store;
        this.collector = collector;
        this.uploads = new NixUploads(config, pushed, pulled);
    }

    @Override
    public boolean accepts(String method, RequestPath path) {
        String key = path.key();
        return method.equals("PUT") && (writable(key) || rootsKept(key))
                || method.equals("DELETE") && rootsKept(key);
    }

    @Override
    public boolean streamsUpload(String method, RequestPath path) {
        return method.equals("PUT") && accepts(method, path);
    }

    private static boolean writable(String key) {
        return key.equals("nix-cache-info") || NARINFO.matcher(key).matches() || NAR.matcher(key).matches();
    }

    /** A GC root marker's path, on an instance that keeps pushed paths by their roots. */
    private boolean rootsKept(String key) {
        return collector.isPresent() && ROOT.matcher(key).matches();
    }

    /**
     * Retention: with {@code gcroots_grace}, pushed paths by their roots ({@link ClosureCollector}) and pulled
     * narinfos by {@code expire_after}; without, every entry by {@code expire_after} since its last use.
     */
    @Override
    public int removeExpired(int batchSize, boolean dryRun) throws IOException {
        if (collector.isEmpty()) {
            return pushed.removeUnused(config.basics().expireAfter(), batchSize, dryRun);
        }
        int n = collector.get().run(batchSize, dryRun);
        return n + pushed.removeUnused(config.basics().expireAfter(), batchSize, dryRun, key -> key.startsWith(PULLED));
    }

    @Override
    public String status() {
        return collector.map(c -> {
            ClosureCollector.Outcome o = c.last();
            return o == null ? "GC by roots: no run yet" : "GC by roots at " + o.at() + ": " + o.roots() + " root(s), "
                    + o.kept() + " path(s) kept, " + o.removedNarinfos() + " narinfo(s) and " + o.removedNars()
                    + " NAR(s) removed";
        }).orElse("");
    }

    @Override
    public Route route(ProxyRequest request) {
        String key = request.path().key();
        if (key.isEmpty()) {
            return Route.answer(ProxyResponse.Document.text(200, "cache-proxy: Nix binary cache '" + name + "'\n"
                    + clientSetup(request.publicBaseUrl()) + "\n"));
        }
        boolean put = request.method().equals("PUT");
        if (key.equals("nix-cache-info")) {
            // Nix PUTs one when its GET fails; ours is always answered, so a PUT is only drained and accepted
            return put ? Route.blocking(() -> NixUploads.drained(request)) : Route.answer(cacheInfo());
        }
        if (rootsKept(key)) {
            return switch (request.method()) {
                case "PUT" -> Route.blocking(() -> uploads.putRoot(request, key));
                case "DELETE" -> Route.blocking(() -> uploads.deleteRoot(key));
                default -> Route.of(() -> pushed.hit(key, PROTOCOL), () -> pushed.get(key, PROTOCOL).<ProxyResponse>map(s -> s)
                        .orElseGet(() -> notFound("no GC root " + key)));
            };
        }
        Matcher narinfo = NARINFO.matcher(key);
        if (narinfo.matches()) {
            return put ? Route.blocking(() -> uploads.pushNarinfo(request, narinfo.group(1))) : readNarinfo(request, narinfo.group(1));
        }
        Matcher nar = NAR.matcher(key);
        if (nar.matches()) {
            Digest digest = NixBase32.sha256(nar.group(1));
            return put ? Route.blocking(() -> uploads.pushNar(request, key, digest)) : readNar(request, key, digest);
        }
        return Route.answer(ProxyResponse.Document.text(404, "not in this Nix cache: " + key + "\n"));
    }

    private ProxyResponse cacheInfo() {
        String info = "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: " + config.priority() + "\n";
        return new ProxyResponse.Document(200, Headers.of("Content-Type", "text/x-nix-cache-info"),
                info.getBytes(StandardCharsets.UTF_8));
    }

    // ---- reads -----------------------------------------------------------------------------------

    private Route readNarinfo(ProxyRequest request, String hash) {
        String key = hash + ".narinfo";
        return Route.blocking(() -> {
            Optional<CacheEntry> own = pushed.entry(key);
            if (own.isPresent() && narGone(own.get())) {
                // its NAR went (the storage quota evicts entries one by one): the record goes too, since Nix fails
                // the build on a NAR's 404 but falls through on a narinfo's
                forget(key);
                own = Optional.empty();
            }
            if (own.isPresent()) {
                Optional<ProxyResponse.Stored> stored = pushed.get(key, PROTOCOL);
                if (stored.isPresent()) {
                    return stored.get();
                }
            }
            return pulled.map(engine -> pullNarinfo(engine, request, hash))
                    .orElseGet(() -> notFound("not in this Nix cache: " + key));
        });
    }

    /** Whether a pushed narinfo's NAR is no longer here (and no upstream could bring it back). */
    private boolean narGone(CacheEntry narinfo) {
        String nar = narinfo.headers().get(NAR_KEY);
        return nar != null && pulled.isEmpty() && pushed.entry(nar).isEmpty();
    }

    private void forget(String key) {
        try {
            pushed.delete(key);
        } catch (IOException e) {
            // answered as missing all the same; the next read tries again
        }
    }

    private ProxyResponse pullNarinfo(CacheEngine engine, ProxyRequest request, String hash) {
        NarInfoCheck check = new NarInfoCheck(hash, config.trustedKeys());
        CacheRule rule = new CacheRule(CachePolicy.REVALIDATE, config.narinfoFreshFor(), BusyPolicy.STALE,
                config.basics().expireAfter());
        CacheRequest req = CacheRequest.builder(PULLED + hash + ".narinfo", rule, hash + ".narinfo")
                .client(request.method(), request.headers()).checkFile(check).build();
        ProxyResponse r = engine.serveCompleteOrPassed(req);
        if (r instanceof ProxyResponse.Stored s) {
            try {
                return served(s);
            } catch (IOException | NarInfo.Invalid e) {
                return notFound("the stored narinfo of " + hash + " cannot be served: " + e.getMessage());
            }
        }
        if (r instanceof ProxyResponse.Streamed passed && passed.status() == 200) {
            // the storage is full: the narinfo passes unstored, read (it is small) and checked as a stored one is
            try (InputStream body = passed.body()) {
                Optional<String> text = check.passes(body);
                if (text.isPresent()) {
                    return servedText(text.get(), passed.cache());
                }
            } catch (IOException | NarInfo.Invalid e) {
                return ProxyResponse.Document.text(502, "the upstream's " + hash + ".narinfo could not be passed on: "
                        + e.getMessage() + "\n");
            }
        }
        if (check.refusal() != null) {
            // Nix itself treats an untrusted narinfo as "not in this cache": so does a 404, where a 5xx
            // would fail the client's build
            return notFound("refused the upstream's " + hash + ".narinfo: " + check.refusal());
        }
        return r.status() == 404 ? notFound("not in this Nix cache or its upstreams: " + hash + ".narinfo") : r;
    }

    /**
     * A pulled narinfo as stored, or with this cache's signature added; its NarHash is learned for the NAR's
     * fill ({@link NarHashCheck}).
     */
    private ProxyResponse served(ProxyResponse.Stored s) throws IOException, NarInfo.Invalid {
        String text;
        try (InputStream in = store.open(s.blob().digest())) {
            text = new String(in.readNBytes(MAX_NARINFO), StandardCharsets.UTF_8);
        }
        if (config.signingKey().isEmpty()) {
            learn(NarInfo.parse(text));
            return s.withHeaders(s.headers().with("Content-Type", NARINFO_TYPE));
        }
        return servedText(text, s.cache());
    }

    /** A narinfo's text as served: its NarHash learned, signed by this cache when it has a key. */
    private ProxyResponse servedText(String text, CacheStatus cache) throws NarInfo.Invalid {
        NarInfo info = NarInfo.parse(text);
        learn(info);
        String served = config.signingKey().isEmpty() ? text : info.signedWith(config.signingKey().get());
        return new ProxyResponse.Document(200, Headers.of("Content-Type", NARINFO_TYPE),
                served.getBytes(StandardCharsets.UTF_8), cache);
    }

    private void learn(NarInfo info) throws NarInfo.Invalid {
        narDigests.put(info.url(), info.narDigest());
    }

    private Route readNar(ProxyRequest request, String key, Digest digest) {
        if (pulled.isPresent()) {
            // the engine shares the index: a pushed NAR is a hit there too
            CacheRequest.Builder req = CacheRequest.builder(key, CacheRule.immutable(config.basics().expireAfter()), key)
                    .client(request.method(), request.headers()).expect(List.of(digest));
            Optional.ofNullable(narDigests.getIfPresent(key)).flatMap(d -> NarHashCheck.of(key, d)).ifPresent(req::checkFile);
            return Route.cached(pulled.get(), req.build());
        }
        return Route.of(() -> pushed.hit(key, PROTOCOL), () -> pushed.get(key, PROTOCOL).<ProxyResponse>map(s -> s)
                .orElseGet(() -> notFound("not in this Nix cache: " + key)));
    }

    static ProxyResponse notFound(String reason) {
        return ProxyResponse.Document.text(404, reason + "\n");
    }

    @Override
    public String clientSetup(String publicUrl) {
        String keys = config.signingKey().map(NixKeys.Signing::publicKey)
                .orElseGet(() -> config.trustedKeys().isEmpty() ? "<the public key your writers sign with>"
                        : String.join(" ", config.trustedKeys().stream().map(NixKeys.Trusted::text).toList()));
        return String.join("\n",
                "nix.conf: substituters = " + publicUrl + "   trusted-public-keys = " + keys,
                "push:     nix copy --to '" + publicUrl + "' <paths>   (netrc-file with the write token as password)");
    }
}
