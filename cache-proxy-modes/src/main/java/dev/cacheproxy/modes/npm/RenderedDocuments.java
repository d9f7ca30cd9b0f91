package dev.cacheproxy.modes.npm;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.digest.DigestEncodings;
import dev.cacheproxy.core.digest.LearnedDigests;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.render.RenderedVariants;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Packuments as clients get them: the stored upstream document with its tarball URLs rewritten for one
 * public base by {@link PackumentRewriter}, stored and served by core's {@link RenderedVariants} (plain
 * and gzip blobs with their own ETags, bounded per document; {@code Vary: Accept, Accept-Encoding}, as
 * the full and abbreviated documents share a URL).
 *
 * <p>Rendering also learns each version's {@code dist.integrity}/{@code dist.shasum}, kept by tarball
 * path so a tarball fill can be verified before it is stored.
 */
final class RenderedDocuments {
    private static final int MAX_DOCUMENTS = 20_000;
    private static final int MAX_TARBALLS = 200_000;

    private final BlobStore store;
    private final PackumentRewriter rewriter;
    private final RenderedVariants variants;
    private final LearnedDigests tarballDigests = new LearnedDigests(MAX_TARBALLS);
    /** Packuments whose digests are in {@link #tarballDigests} already (each is read at most once). */
    private final Cache<Digest, Boolean> learned = Caffeine.newBuilder().maximumSize(MAX_DOCUMENTS).build();

    /** @param freshFor {@code metadata_fresh_for}: how long clients may reuse a document without asking */
    RenderedDocuments(BlobStore store, PackumentRewriter rewriter, Freshness freshFor) {
        this.store = store;
        this.rewriter = rewriter;
        // Without it, npm's HTTP cache would guess a freshness from Last-Modified (10 % of the document's
        // age: days for a package last published months ago) and miss new versions (pitfall N7).
        long seconds = freshFor.forever() ? 300 : freshFor.window().toSeconds();
        this.variants = new RenderedVariants(store, seconds > 0 ? "public, max-age=" + seconds : "no-cache",
                "Accept, Accept-Encoding");
    }

    /** The stored document {@code source} rewritten for {@code publicBase}, gzip-encoded when the client accepts it. */
    ProxyResponse serve(ProxyResponse.Stored source, PackumentRewriter.Shape shape, String publicBase,
            Headers client) throws IOException {
        Digest digest = source.blob().digest();
        return variants.serve(source, shape.name(), publicBase, client, (in, out) -> {
            rewrite(in, out, publicBase, shape);
            learned.put(digest, Boolean.TRUE);
        });
    }

    /** The rendered document without blocking, when it was rendered for {@code publicBase} before. */
    Optional<ProxyResponse> serveIfRendered(ProxyResponse.Stored source, PackumentRewriter.Shape shape,
            String publicBase, Headers client) {
        return variants.serveIfRendered(source, shape.name(), publicBase, client);
    }

    /** A document that is not stored (metadata_policy: bypass): rewritten into the response as it is read. */
    ProxyResponse serveUnstored(InputStream body, Headers upstream, PackumentRewriter.Shape shape,
            String publicBase, Headers client) {
        return variants.serveUnstored(body, upstream, client, (in, out) -> rewrite(in, out, publicBase, shape));
    }

    /** The digests a tarball at {@code path} (below the mount) must match, when a packument named them. */
    List<Digest> expectedFor(String path) {
        return tarballDigests.expectedFor(path);
    }

    /**
     * Reads a stored packument only for its tarball digests (after a restart, {@code npm ci} asks for
     * tarballs without packuments). Each packument is read once.
     */
    void learnFrom(BlobFile packument) throws IOException {
        if (learned.getIfPresent(packument.digest()) != null) {
            return;
        }
        try (InputStream in = store.open(packument.digest())) {
            rewrite(in, OutputStream.nullOutputStream(), "", PackumentRewriter.Shape.PACKUMENT);
        }
        learned.put(packument.digest(), Boolean.TRUE);
    }

    private void rewrite(InputStream in, OutputStream out, String publicBase, PackumentRewriter.Shape shape)
            throws IOException {
        rewriter.rewrite(in, out, publicBase, shape).values().forEach(this::remember);
    }

    private void remember(PackumentRewriter.Dist d) {
        List<Digest> expected = new ArrayList<>(2);
        if (d.integrity() != null) {
            for (String sri : d.integrity().trim().split("\\s+")) {
                sriDigest(sri).ifPresent(expected::add);
            }
        }
        if (d.shasum() != null && d.shasum().matches("[0-9a-fA-F]{40}")) {
            expected.add(new Digest(DigestAlgorithm.SHA1, d.shasum().toLowerCase(Locale.ROOT)));
        }
        NpmInstance.tarballPath(d.tarballPath()).ifPresent(p -> tarballDigests.learn(p, expected));
    }

    /** {@code sha512-<base64>} (Subresource Integrity); other algorithms and malformed values are skipped. */
    static Optional<Digest> sriDigest(String sri) {
        return DigestEncodings.fromSri(sri);
    }

    /** Whether {@code Accept-Encoding} lists gzip with a non-zero quality. */
    static boolean acceptsGzip(Headers client) {
        return RenderedVariants.acceptsGzip(client);
    }
}
