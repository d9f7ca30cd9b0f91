package dev.cacheproxy.core.http;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.fetch.FillView;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * What a mode (through the engine) answers. Mode code returns one of these and never writes to a
 * channel; the server's response writer turns each kind into Netty writes and handles {@code Range},
 * conditional requests and HEAD for {@link Stored} and {@link Filling} in one place.
 *
 * <p>{@link #cache()} says how the cache produced the response ({@code HIT}, {@code MISS}, ...); it is a
 * value, rendered as {@code X-Cache} by the writer alone and counted from the value, never parsed back
 * from a header. It is null for answers that did not come from the cache (admin pages, a mode's own
 * refusal of a path).
 */
public sealed interface ProxyResponse {
    int status();

    Headers headers();

    CacheStatus cache();

    /** This response with other headers (same kind, body and cache status). */
    ProxyResponse withHeaders(Headers headers);

    /** This response with its headers changed by {@code change}. */
    default ProxyResponse mapHeaders(UnaryOperator<Headers> change) {
        return withHeaders(change.apply(headers()));
    }

    /** A small in-memory body: errors, admin pages, small documents. */
    record Document(int status, Headers headers, byte[] body, CacheStatus cache) implements ProxyResponse {
        public Document(int status, Headers headers, byte[] body) {
            this(status, headers, body, null);
        }

        public static Document text(int status, String text) {
            return new Document(status, Headers.of("Content-Type", "text/plain; charset=utf-8"),
                    text.getBytes(StandardCharsets.UTF_8));
        }

        public Document withHeader(String name, String value) {
            return new Document(status, headers.with(name, value), body, cache);
        }

        @Override
        public Document withHeaders(Headers h) {
            return new Document(status, h, body, cache);
        }
    }

    /** A complete, verified blob from the store (stored content or a rendered document); served zero-copy. */
    record Stored(Headers headers, BlobFile blob, CacheStatus cache) implements ProxyResponse {
        @Override
        public int status() {
            return 200;
        }

        @Override
        public Stored withHeaders(Headers h) {
            return new Stored(h, blob, cache);
        }
    }

    /** A fill in progress: the writer follows the growing file as bytes arrive. */
    record Filling(Headers headers, FillView fill, CacheStatus cache) implements ProxyResponse {
        @Override
        public int status() {
            return 200;
        }

        @Override
        public Filling withHeaders(Headers h) {
            return new Filling(h, fill, cache);
        }
    }

    /**
     * An upstream body streamed through without being stored (bypass, pass-through errors), or a
     * document rewritten on the fly. The writer owns {@code body} and closes it. {@code contentLength}
     * is -1 when unknown.
     */
    record Streamed(int status, Headers headers, long contentLength, InputStream body, CacheStatus cache)
            implements ProxyResponse {
        @Override
        public Streamed withHeaders(Headers h) {
            return new Streamed(status, h, contentLength, body, cache);
        }
    }
}
