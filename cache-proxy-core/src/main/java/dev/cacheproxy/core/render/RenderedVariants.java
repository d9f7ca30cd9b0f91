package dev.cacheproxy.core.render;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.digest.Digest;
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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stored documents as clients get them: rewritten by a mode for one public base URL (the document's
 * upstream links moved under the proxy), in plain and gzip form. Each rewritten form is written to the
 * blob store like any content, so it is served zero-copy with Range and conditional support and a large
 * document never sits in the heap; only the small table from (source, variant, public base) to the two
 * blobs is kept in memory. Each form's ETag is its own content digest, stable across restarts, so a
 * client's re-run gets 304.
 *
 * <p>Bounded: the first {@link #MAX_BASES_PER_DOCUMENT} public bases a document is asked for are stored;
 * any further base (a client inventing {@code Host} names) is rewritten on the fly into the response and
 * stored nowhere, so no client can multiply what is written to disk. So is a document that is not stored
 * at all (a bypass policy).
 *
 * <p>Rewritten blobs belong to no index entry, so blob GC removes them after its grace period; the next
 * request renders again. Two requests rendering the same document at once write identical content,
 * which the store accepts.
 */
public final class RenderedVariants {
    private static final Logger LOG = LoggerFactory.getLogger(RenderedVariants.class);
    public static final int MAX_BASES_PER_DOCUMENT = 4;
    private static final int MAX_DOCUMENTS = 20_000;

    /** A mode's rewrite of one document for one public base. */
    @FunctionalInterface
    public interface Rewrite {
        void rewrite(InputStream source, OutputStream out) throws IOException;
    }

    private record Key(Digest source, String variant, String publicBase) {}

    private record Rendered(Digest plain, Digest gzip) {}

    private final BlobStore store;
    private final String cacheControl;
    private final String vary;
    private final Cache<Key, Rendered> rendered = Caffeine.newBuilder().maximumSize(MAX_DOCUMENTS).build();
    /** The public bases each source document has stored variants for (at most MAX_BASES_PER_DOCUMENT). */
    private final Cache<Digest, Set<String>> basesOf = Caffeine.newBuilder().maximumSize(MAX_DOCUMENTS).build();

    /**
     * @param cacheControl what clients are told about reusing a rewritten document
     * @param vary the request headers a document's form depends on (always {@code Accept-Encoding} too)
     */
    public RenderedVariants(BlobStore store, String cacheControl, String vary) {
        this.store = store;
        this.cacheControl = cacheControl;
        this.vary = vary;
    }

    /**
     * The stored document {@code source} rewritten for {@code publicBase} by {@code rewrite} ({@code variant}
     * names the rewrite when one document has several, npm's full and version shapes), gzip-encoded when
     * the client accepts it. The source's headers are kept except its validators and encoding.
     */
    public ProxyResponse serve(ProxyResponse.Stored source, String variant, String publicBase, Headers client,
            Rewrite rewrite) throws IOException {
        Key key = new Key(source.blob().digest(), variant, publicBase);
        boolean gzip = acceptsGzip(client);
        Rendered r = rendered.getIfPresent(key);
        Optional<BlobFile> file = r == null ? Optional.empty() : store.find(gzip ? r.gzip() : r.plain());
        if (file.isEmpty() && !admitBase(source.blob().digest(), publicBase)) {
            return streamed(store.open(source.blob().digest()), source.headers(), gzip, source.cache(), rewrite);
        }
        if (file.isEmpty()) {
            try (InputStream in = store.open(source.blob().digest())) {
                r = render(in, rewrite);
            }
            rendered.put(key, r);
            file = store.find(gzip ? r.gzip() : r.plain());
            if (file.isEmpty()) {
                throw new IOException("rendered document " + r + " vanished from the store");
            }
        }
        return new ProxyResponse.Stored(headers(source.headers(), file.get(), gzip), file.get(), source.cache());
    }

    /**
     * The hit path for a rendered document, without blocking: the form of {@code source} for
     * {@code publicBase} when it was rendered before and its blob is still stored (one stat); empty when
     * {@link #serve} must render it. For a mode's {@code Route.hit()}, given the engine's hot source.
     */
    public Optional<ProxyResponse> serveIfRendered(ProxyResponse.Stored source, String variant, String publicBase,
            Headers client) {
        Rendered r = rendered.getIfPresent(new Key(source.blob().digest(), variant, publicBase));
        if (r == null) {
            return Optional.empty();
        }
        boolean gzip = acceptsGzip(client);
        return store.find(gzip ? r.gzip() : r.plain())
                .map(file -> new ProxyResponse.Stored(headers(source.headers(), file, gzip), file, source.cache()));
    }

    /** A document that is not stored: rewritten into the response as it is read. Takes ownership of {@code body}. */
    public ProxyResponse serveUnstored(InputStream body, Headers upstream, Headers client, Rewrite rewrite) {
        return streamed(body, upstream, acceptsGzip(client), CacheStatus.BYPASS, rewrite);
    }

    /** Whether {@code Accept-Encoding} lists gzip with a non-zero quality. */
    public static boolean acceptsGzip(Headers client) {
        List<String> values = client.all("Accept-Encoding");
        return QualityList.accepts(values, "gzip") || QualityList.accepts(values, "x-gzip");
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

    private Rendered render(InputStream source, Rewrite rewrite) throws IOException {
        BlobWriter plain = store.newWriter(List.of());
        BlobWriter gzip = store.newWriter(List.of());
        try {
            try (OutputStream plainOut = new BufferedOutputStream(new WriterStream(plain), 64 * 1024);
                    GZIPOutputStream gzipOut = new GZIPOutputStream(new WriterStream(gzip), 64 * 1024)) {
                rewrite.rewrite(source, new Tee(plainOut, gzipOut));
            }
            return new Rendered(plain.commit().digest(), gzip.commit().digest());
        } catch (IOException | RuntimeException e) {
            plain.abort();
            gzip.abort();
            throw e;
        }
    }

    /**
     * {@code source} rewritten on a virtual thread straight into the response body (chunked, no ETag:
     * nothing is stored to name it by). A failure cuts the response rather than ending it early.
     */
    private ProxyResponse streamed(InputStream source, Headers upstream, boolean gzip, CacheStatus cache,
            Rewrite rewrite) {
        PipedInputStream body = new PipedInputStream(64 * 1024);
        PipedOutputStream sink;
        try {
            sink = new PipedOutputStream(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a fresh pipe is always connectable
        }
        Thread.ofVirtual().name("render").start(() -> {
            try (InputStream in = source) {
                OutputStream out = gzip ? new GZIPOutputStream(sink, 64 * 1024) : sink;
                rewrite.rewrite(in, out);
                out.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("rewriting a document on the fly failed: {}", e.toString());
                try {
                    body.close(); // the reader sees an error, never a short document that looks complete
                } catch (IOException ignored) {
                    // closing a pipe
                }
            }
        });
        return new ProxyResponse.Streamed(200, headers(upstream, null, gzip), -1, body, cache);
    }

    /** The source's headers without its validators and encoding, the form's own ETag (when stored), Vary, Cache-Control. */
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
        b.set("Vary", vary);
        b.set("Cache-Control", cacheControl);
        if (gzip) {
            b.set("Content-Encoding", "gzip");
        }
        return b.build();
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
