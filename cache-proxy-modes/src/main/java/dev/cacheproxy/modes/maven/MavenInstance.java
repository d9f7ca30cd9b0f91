package dev.cacheproxy.modes.maven;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.CacheRequest;
import dev.cacheproxy.core.cache.ContentCheck;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Route;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running maven instance. The path below the mount is the key and the path below the upstream;
 * queries are not part of Maven's protocol and are dropped. Before a file is stored it is checked
 * against the digest the upstream states in its checksum headers and, for a release, against the
 * {@code .sha1} the proxy already holds; a mismatch is never stored. Not-found answers are remembered
 * for {@code negative_cache_for} (Maven probes every repository for every artifact).
 */
final class MavenInstance implements ModeInstance {
    private static final Logger LOG = LoggerFactory.getLogger(MavenInstance.class);
    /** What Maven Central, Nexus and Artifactory send with a file; header name -> digest algorithm. */
    private static final Map<String, DigestAlgorithm> CHECKSUM_HEADERS = Map.of("X-Checksum-Sha1", DigestAlgorithm.SHA1,
            "X-Checksum-MD5", DigestAlgorithm.MD5, "X-Checksum-Sha256", DigestAlgorithm.SHA256);
    private static final Map<String, Integer> SIDECAR_HEX_LENGTHS = Map.of(".sha1", 40, ".md5", 32, ".sha256", 64,
            ".sha512", 128);

    private final MavenConfig config;
    private final CacheEngine engine;

    MavenInstance(MavenConfig config, CacheEngine engine) {
        this.config = config;
        this.engine = engine;
    }

    @Override
    public Route route(ProxyRequest request) {
        MavenPath p;
        switch (MavenPath.of(request.path())) {
            case MavenRequest.Invalid i -> {
                return Route.answer(ProxyResponse.Document.text(400, "bad Maven path: " + i.reason() + "\n"));
            }
            case MavenPath file -> p = file;
        }
        // the hit path needs no held checksum (a stored file is not verified again); reading it touches the disk
        CacheRequest hit = cacheRequest(request, p, List.of());
        return Route.of(() -> engine.serveIfHot(hit), () -> engine.serve(cacheRequest(request, p, heldChecksum(p))));
    }

    @Override
    public int removeExpired(int batchSize, boolean dryRun) throws IOException {
        return engine.removeExpired(key -> config.basics().expireAfter(), batchSize, dryRun);
    }

    @Override
    public String clientSetup(String publicUrl) {
        return "settings.xml: <mirror><id>cache-proxy</id><mirrorOf>*</mirrorOf><url>" + publicUrl + "</url></mirror>";
    }

    private CacheRequest cacheRequest(ProxyRequest r, MavenPath p, List<Digest> expected) {
        return CacheRequest.builder(p.path(), config.ruleFor(p), r.path().encoded()).client(r.method(), r.headers())
                .expect(expected).checksumHeaders(p.sidecar() ? Map.of() : CHECKSUM_HEADERS).check(contentCheck(p)).build();
    }

    /** What a file must look like when no checksum vouches for it: a checksum sidecar is its hex digest. */
    static ContentCheck contentCheck(MavenPath p) {
        String name = p.path();
        if (p.sidecar()) {
            for (Map.Entry<String, Integer> e : SIDECAR_HEX_LENGTHS.entrySet()) {
                if (name.endsWith(e.getKey())) {
                    return ContentCheck.hexDigest("a " + e.getKey() + " checksum", e.getValue());
                }
            }
        }
        return ContentCheck.artifact("a Maven repository file");
    }

    /**
     * The SHA-1 of a release file from its stored {@code .sha1} sidecar, when the proxy holds one. Only
     * for releases: a plain {@code -SNAPSHOT} file may change under an older sidecar, and refusing it
     * then would be wrong.
     */
    private List<Digest> heldChecksum(MavenPath p) {
        if (p.sidecar() || p.kind() != MavenPath.Kind.RELEASE) {
            return List.of();
        }
        Optional<BlobFile> sha1 = engine.storedBlob(p.path() + ".sha1", config.basics().expireAfter());
        if (sha1.isEmpty() || sha1.get().size() > 1024) {
            return List.of();
        }
        try (InputStream in = engine.openStored(p.path() + ".sha1", config.basics().expireAfter())
                .orElse(InputStream.nullInputStream())) {
            // "<hex>" or "<hex>  <file name>" (both are found in the wild)
            String text = new String(in.readNBytes(1024), StandardCharsets.US_ASCII).trim();
            String hex = text.split("\\s+", 2)[0];
            return List.of(new Digest(DigestAlgorithm.SHA1, hex));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("[maven] ignoring the stored {}.sha1: {}", p.path(), e.getMessage());
            return List.of();
        }
    }
}
