package dev.cacheproxy.modes.npm;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestEncodings;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.http.QualityList;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Packuments as clients get them: the stored upstream document with its tarball URLs rewritten for
 * one public base, in plain and gzip form (DESIGN §4). The rewritten forms are written to the blob
 * store like any content, so they are served zero-copy with Range and conditional support, and a
 * 30 MiB packument never sits in the heap; only the small table from (source digest, public base) to
 * the two rewritten blobs is kept in memory. Each form's ETag is its own content digest, stable across
 * restarts, so a re-run of {@code npm install} gets 304.
 *
 * <p>Rewritten blobs belong to no index entry, so blob GC removes them after its grace period; the
 * next request finds them missing and renders again. Two requests rendering the same document at
 * once write identical content, which the store accepts.
 *
 * <p>Variants are bounded: the first {@link #MAX_BASES_PER_DOCUMENT} public bases a document is asked
 * for are stored; any further base (a client inventing {@code Host} names) is rendered on the fly
 * into the response and stored nowhere, so no client can multiply what is written to disk. The same
 * goes for documents that are not stored at all ({@code metadata_policy: bypass}).
 *
 * <p>Rendering also learns each version's {@code dist.integrity}/{@code dist.shasum}, kept by
 * tarball path so a tarball fill can be verified before it is stored.
 */
final class RenderedDocuments {
    private static final Logger LOG = LoggerFactory.getLogger(RenderedDocuments.class);
    private static final int MAX_DOCUMENTS = 20_000;
    private static final int MAX_TARBALLS = 200_000;
    static final int MAX_BASES_PER_DOCUMENT = 4;

    private final BlobStore store;
    private final PackumentRewriter rewriter;
    private final Cache<Key, Rendered> rendered = Caffeine.newBuilder().maximumSize(MAX_DOCUMENTS).build();
    /** The public bases each source document has stored variants for (at most MAX_BASES_PER_DOCUMENT). */
    private final Cache<Digest, Set<String>> basesOf = Caffeine.newBuilder().maximumSize(MAX_DOCUMENTS).build();
    private final Cache<String, List<Digest>> tarballDigests = Caffeine.newBuilder().maximumSize(MAX_TARBALLS).build();
    /** Packuments whose digests are in {@link #tarballDigests} already (each is read at most once). */
    private final Cache<Digest, Boolean> learned = Caffeine.newBuilder().maximumSize(MAX_DOCUMENTS).build();

    private record Key(Digest source, String publicBase, PackumentRewriter.Shape shape) {}

    private record Rendered(Digest plain, Digest gzip) {}

    private final String cacheControl;

    /** @param freshFor {@code metadata_fresh_for}: how long clients may reuse a document without asking */
    RenderedDocuments(BlobStore store, PackumentRewriter rewriter, Freshness freshFor) {
        this.store = store;
        this.rewriter = rewriter;
        // Without it, npm's HTTP cache would guess a freshness from Last-Modified (10 % of the document's
        // age: days for a package last published months ago) and miss new versions (pitfall N7).
        long seconds = freshFor.forever() ? 300 : freshFor.window().toSeconds();
        this.cacheControl = seconds > 0 ? "public, max-age=" + seconds : "no-cache";
    }

    /**
     * The stored document {@code source} rewritten for {@code publicBase}, gzip-encoded when the client
     * accepts it. The source's headers are kept except the validators and encoding, which are the
     * rewritten form's own.
     */
    ProxyResponse serve(ProxyResponse.Stored source, PackumentRewriter.Shape shape, String publicBase,
            Headers client) throws IOException {
        Key key = new Key(source.blob().digest(), publicBase, shape);
        boolean gzip = acceptsGzip(client);
        Rendered r = rendered.getIfPresent(key);
        Optional<BlobFile> file = r == null ? Optional.empty() : store.find(gzip ? r.gzip() : r.plain());
        if (file.isEmpty() && !admitBase(source.blob().digest(), publicBase)) {
            return streamed(store.open(source.blob().digest()), source.headers(), shape, publicBase, gzip,
                    source.cache());
        }
        if (file.isEmpty()) {
            try (InputStream in = store.open(source.blob().digest())) {
                r = render(in, shape, publicBase);
            }
            learned.put(source.blob().digest(), Boolean.TRUE);
            rendered.put(key, r);
            file = store.find(gzip ? r.gzip() : r.plain());
            if (file.isEmpty()) {
                throw new IOException("rendered document " + r + " vanished from the store");
            }
        }
        return new ProxyResponse.Stored(headers(source.headers(), file.get(), gzip), file.get(), source.cache());
    }

    /**
     * A document that is not stored (metadata_policy: bypass): rewritten into the response as it is read,
     * stored nowhere. Takes ownership of {@code body}.
     */
    ProxyResponse serveUnstored(InputStream body, Headers upstream, PackumentRewriter.Shape shape,
            String publicBase, Headers client) {
        return streamed(body, upstream, shape, publicBase, acceptsGzip(client), CacheStatus.BYPASS);
    }

    /** Whether {@code base} may have stored variants of {@code source}: one of the first few asked for. */
    private boolean admitBase(Digest source, String base) {
        Set<String> bases = basesOf.get(source, d -> ConcurrentHashMap.newKeySet());
        synchronized (bases) {
            if (bases.contains(base) || bases.size() < MAX_BASES_PER_DOCUMENT) {
                bases.add(base);
                return true;
            }
            return false;
        }
    }

    /**
     * {@code source} rewritten on a virtual thread straight into the response body (chunked, no ETag:
     * nothing is stored to name it by). A failure cuts the response rather than ending it early.
     */
    private ProxyResponse streamed(InputStream source, Headers upstream, PackumentRewriter.Shape shape,
            String publicBase, boolean gzip, CacheStatus cache) {
        PipedInputStream body = new PipedInputStream(64 * 1024);
        PipedOutputStream sink;
        try {
            sink = new PipedOutputStream(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a fresh pipe is always connectable
        }
        Thread.ofVirtual().name("npm-render").start(() -> {
            try (InputStream in = source) {
                OutputStream out = gzip ? new GZIPOutputStream(sink, 64 * 1024) : sink;
                rewriter.rewrite(in, out, publicBase, shape).values().forEach(this::remember);
                out.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("[npm] rewriting a document on the fly failed: {}", e.toString());
                try {
                    body.close(); // the reader sees an error, never a short document that looks complete
                } catch (IOException ignored) {
                    // closing a pipe
                }
            }
        });
        Headers.Builder h = Headers.builder();
        headers(upstream, null, gzip).forEach((name, value) -> {
            if (!name.equalsIgnoreCase("ETag")) {
                h.add(name, value);
            }
        });
        return new ProxyResponse.Streamed(200, h.build(), -1, body, cache);
    }

    /** The digests a tarball at {@code path} (below the mount) must match, when a packument named them. */
    List<Digest> expectedFor(String path) {
        List<Digest> d = tarballDigests.getIfPresent(path);
        return d == null ? List.of() : d;
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
            rewriter.rewrite(in, OutputStream.nullOutputStream(), "",
                    PackumentRewriter.Shape.PACKUMENT).values().forEach(this::remember);
        }
        learned.put(packument.digest(), Boolean.TRUE);
    }

    private Rendered render(InputStream source, PackumentRewriter.Shape shape, String publicBase) throws IOException {
        BlobWriter plain = store.newWriter(List.of());
        BlobWriter gzip = store.newWriter(List.of());
        try {
            Map<String, PackumentRewriter.Dist> dists;
            try (OutputStream plainOut = new BufferedOutputStream(new WriterStream(plain), 64 * 1024);
                    GZIPOutputStream gzipOut = new GZIPOutputStream(new WriterStream(gzip), 64 * 1024)) {
                dists = rewriter.rewrite(source, new Tee(plainOut, gzipOut), publicBase, shape);
            }
            Rendered r = new Rendered(plain.commit().digest(), gzip.commit().digest());
            dists.values().forEach(this::remember);
            return r;
        } catch (IOException | RuntimeException e) {
            plain.abort();
            gzip.abort();
            throw e;
        }
    }

    private void remember(PackumentRewriter.Dist d) {
        List<Digest> expected = new ArrayList<>(2);
        if (d.integrity() != null) {
            for (String sri : d.integrity().trim().split("\\s+")) {
                sriDigest(sri).ifPresent(expected::add);
            }
        }
        if (d.shasum() != null && d.shasum().matches("[0-9a-fA-F]{40}")) {
            expected.add(new Digest("sha1", d.shasum().toLowerCase(Locale.ROOT)));
        }
        if (!expected.isEmpty()) {
            NpmInstance.tarballPath(d.tarballPath()).ifPresent(p -> tarballDigests.put(p, List.copyOf(expected)));
        }
    }

    /** {@code sha512-<base64>} (Subresource Integrity); other algorithms and malformed values are skipped. */
    static Optional<Digest> sriDigest(String sri) {
        return DigestEncodings.fromSri(sri);
    }

    private Headers headers(Headers source, BlobFile file, boolean gzip) {
        Headers.Builder b = Headers.builder();
        source.forEach((name, value) -> {
            String n = name.toLowerCase(Locale.ROOT);
            if (!n.equals("etag") && !n.equals("content-encoding") && !n.equals("content-length")) {
                b.add(name, value);
            }
        });
        if (file != null) {
            b.set("ETag", "\"" + file.digest().hex().substring(0, 32) + "\"");
        }
        // full and abbreviated documents share a URL; so do the plain and gzip forms
        b.set("Vary", "Accept, Accept-Encoding");
        b.set("Cache-Control", cacheControl);
        if (gzip) {
            b.set("Content-Encoding", "gzip");
        }
        return b.build();
    }

    /** Whether {@code Accept-Encoding} lists gzip with a non-zero quality. */
    static boolean acceptsGzip(Headers client) {
        List<String> values = client.all("Accept-Encoding");
        return QualityList.accepts(values, "gzip") || QualityList.accepts(values, "x-gzip");
    }

    /** An OutputStream over a blob writer. */
    private static final class WriterStream extends OutputStream {
        private final BlobWriter writer;

        WriterStream(BlobWriter writer) {
            this.writer = writer;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writer.write(ByteBuffer.wrap(b, off, len));
        }
    }

    /** Writes every byte to both streams (the caller closes them). */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
