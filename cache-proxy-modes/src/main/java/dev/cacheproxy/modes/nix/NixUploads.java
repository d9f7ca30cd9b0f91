package dev.cacheproxy.modes.nix;

import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.CacheRequest;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.index.CacheEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The writes of a {@code nix} instance ({@code nix copy --to}, and GC root markers): a NAR stored once its body
 * hashes to its name; a narinfo only once the NAR it names is here with that hash and size (the narinfo is the
 * commit record), signed with the instance's key when it has one. Refusals are 4xx, never 5xx: Nix retries a
 * 5xx upload without its body and hangs (reference/hosted-caches.md §1.4).
 */
final class NixUploads {
    /** A GC root marker: store paths, one per line. */
    private static final int MAX_ROOT = 64 * 1024;

    private final NixConfig config;
    private final HostedStore pushed;
    private final Optional<CacheEngine> pulled;

    NixUploads(NixConfig config, HostedStore pushed, Optional<CacheEngine> pulled) {
        this.config = config;
        this.pushed = pushed;
        this.pulled = pulled;
    }

    ProxyResponse pushNar(ProxyRequest request, String key, Digest digest) {
        return switch (pushed.put(key, NixInstance.PROTOCOL, request.upload(), List.of(digest), config.maxNarSize(),
                Map.of("content-type", NixInstance.NAR_TYPE))) {
            case HostedStore.PutOutcome.Stored s -> ProxyResponse.Document.text(200, "");
            case HostedStore.PutOutcome.TooLarge t -> ProxyResponse.Document.text(413,
                    "larger than this cache's max_nar_size (" + t.limit() + " bytes)\n");
            case HostedStore.PutOutcome.Mismatch m -> ProxyResponse.Document.text(400, m.reason() + "\n");
            case HostedStore.PutOutcome.Cut c -> ProxyResponse.Document.text(400, "the upload was cut: " + c.reason() + "\n");
            // 4xx: a 5xx makes Nix retry without the body and hang
            case HostedStore.PutOutcome.NoRoom n -> ProxyResponse.Document.text(413,
                    "no room to store it now (" + n.reason() + ")\n").withHeader("Retry-After", "60");
        };
    }

    ProxyResponse pushNarinfo(ProxyRequest request, String hash) {
        byte[] body;
        try (InputStream in = request.upload().open()) {
            body = in.readNBytes(NixInstance.MAX_NARINFO + 1);
        } catch (IOException e) {
            return ProxyResponse.Document.text(400, "the upload was cut: " + e.getMessage() + "\n");
        }
        if (body.length > NixInstance.MAX_NARINFO) {
            return ProxyResponse.Document.text(413, "a narinfo is at most " + NixInstance.MAX_NARINFO + " bytes\n");
        }
        String text;
        String url;
        try {
            NarInfo info = NarInfo.parse(new String(body, StandardCharsets.UTF_8));
            url = info.url();
            if (!info.hashPart().equals(hash)) {
                return ProxyResponse.Document.text(400, "this narinfo describes " + info.storePath() + ", not " + hash + "\n");
            }
            Optional<String> missing = narMissing(info);
            if (missing.isPresent()) {
                return ProxyResponse.Document.text(400, missing.get() + "\n");
            }
            text = config.signingKey().isPresent() ? info.signedWith(config.signingKey().get()) : info.text();
        } catch (NarInfo.Invalid e) {
            return ProxyResponse.Document.text(400, "not a usable narinfo: " + e.getMessage() + "\n");
        }
        byte[] record = text.getBytes(StandardCharsets.UTF_8);
        return switch (pushed.put(hash + ".narinfo", NixInstance.PROTOCOL, new BytesUpload(record), List.of(), NixInstance.MAX_NARINFO,
                Map.of("content-type", NixInstance.NARINFO_TYPE, NixInstance.NAR_KEY, url))) {
            case HostedStore.PutOutcome.Stored s -> ProxyResponse.Document.text(200, "");
            case HostedStore.PutOutcome.NoRoom n -> ProxyResponse.Document.text(413,
                    "no room to store it now (" + n.reason() + ")\n").withHeader("Retry-After", "60");
            default -> ProxyResponse.Document.text(400, "the narinfo could not be stored\n");
        };
    }

    /**
     * Why the NAR {@code info} names is not here as it says (empty when it is): a narinfo is published only
     * after its NAR, so a reader never finds a record whose file is missing or different.
     */
    private Optional<String> narMissing(NarInfo info) throws NarInfo.Invalid {
        Digest digest = Digest.sha256(info.fileSha256());
        Optional<CacheEntry> nar = pushed.entry(info.url());
        if (nar.isEmpty() && pulled.isPresent()) {
            // a NAR the client skipped because HEAD found it upstream: brought here now
            pulled.get().serveComplete(CacheRequest.builder(info.url(), CacheRule.immutable(config.basics().expireAfter()),
                    info.url()).client("GET", Headers.EMPTY).expect(List.of(digest)).build());
            nar = pushed.entry(info.url());
        }
        if (nar.isEmpty()) {
            return Optional.of("its NAR " + info.url() + " is not in this cache: upload the NAR first");
        }
        if (!nar.get().blob().equals(digest) || info.fileSize() >= 0 && nar.get().size() != info.fileSize()) {
            return Optional.of("its NAR " + info.url() + " here is not the one it describes (FileHash/FileSize)");
        }
        Optional<NarHashCheck> unpacked = NarHashCheck.of(info.url(), info.narDigest());
        if (unpacked.isPresent()) {
            try {
                Optional<InputStream> stored = pushed.open(info.url());
                Optional<String> refused = stored.isEmpty() ? Optional.of("it vanished") : unpacked.get().refuses(stored.get());
                if (refused.isPresent()) {
                    return Optional.of("its NAR " + info.url() + ": " + refused.get());
                }
            } catch (IOException e) {
                return Optional.of("its NAR " + info.url() + " cannot be unpacked: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** A GC root marker: store paths, one per line, each checked; kept until it is deleted. */
    ProxyResponse putRoot(ProxyRequest request, String key) {
        byte[] body;
        try (InputStream in = request.upload().open()) {
            body = in.readNBytes(MAX_ROOT + 1);
        } catch (IOException e) {
            return ProxyResponse.Document.text(400, "the upload was cut: " + e.getMessage() + "\n");
        }
        if (body.length > MAX_ROOT) {
            return ProxyResponse.Document.text(413, "a GC root marker is at most " + MAX_ROOT + " bytes\n");
        }
        for (String line : new String(body, StandardCharsets.UTF_8).lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            if (!line.startsWith("/nix/store/") || ClosureCollector.hashPart(line).isEmpty()) {
                return ProxyResponse.Document.text(400, "not a store path: " + (line.length() > 80 ? line.substring(0, 80) : line)
                        + " (a GC root marker names store paths, one per line)\n");
            }
        }
        return switch (pushed.put(key, NixInstance.PROTOCOL, new BytesUpload(body), List.of(), MAX_ROOT, Map.of("content-type", "text/plain"))) {
            case HostedStore.PutOutcome.Stored s -> ProxyResponse.Document.text(200, "");
            case HostedStore.PutOutcome.NoRoom n -> ProxyResponse.Document.text(413,
                    "no room to store it now (" + n.reason() + ")\n").withHeader("Retry-After", "60");
            default -> ProxyResponse.Document.text(400, "the marker could not be stored\n");
        };
    }

    ProxyResponse deleteRoot(String key) {
        try {
            return pushed.delete(key) ? ProxyResponse.Document.text(200, "") : NixInstance.notFound("no GC root " + key);
        } catch (IOException e) {
            return ProxyResponse.Document.text(503, "the index could not be written: " + e.getMessage() + "\n");
        }
    }

    static ProxyResponse drained(ProxyRequest request) {
        try (InputStream in = request.upload().open()) {
            in.readNBytes(NixInstance.MAX_NARINFO);
        } catch (IOException e) {
            return ProxyResponse.Document.text(400, "the upload was cut: " + e.getMessage() + "\n");
        }
        return ProxyResponse.Document.text(200, "");
    }

}
