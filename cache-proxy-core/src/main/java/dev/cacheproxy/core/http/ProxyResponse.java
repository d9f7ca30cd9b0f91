package dev.cacheproxy.core.http;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.fetch.FillView;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * What a mode (through the engine) answers. Mode code returns one of these and never writes to a
 * channel; the server's response writer turns each kind into Netty writes and handles {@code Range},
 * conditional requests and HEAD for {@link Stored} and {@link Filling} in one place.
 */
public sealed interface ProxyResponse {
    int status();

    Headers headers();

    /** A small in-memory body: errors, rewritten documents, admin pages. */
    record Document(int status, Headers headers, byte[] body) implements ProxyResponse {
        public static Document text(int status, String text) {
            return new Document(status, Headers.of("Content-Type", "text/plain; charset=utf-8"),
                    text.getBytes(StandardCharsets.UTF_8));
        }

        public Document withHeader(String name, String value) {
            return new Document(status, headers.with(name, value), body);
        }
    }

    /** A complete, verified blob from the store; served with zero-copy transfers. */
    record Stored(Headers headers, BlobFile blob) implements ProxyResponse {
        @Override
        public int status() {
            return 200;
        }
    }

    /** A fill in progress: the writer follows the growing file as bytes arrive. */
    record Filling(Headers headers, FillView fill) implements ProxyResponse {
        @Override
        public int status() {
            return 200;
        }
    }

    /**
     * An upstream body streamed through without being stored (bypass, pass-through errors). The
     * writer owns {@code body} and closes it. {@code contentLength} is -1 when unknown.
     */
    record Streamed(int status, Headers headers, long contentLength, InputStream body) implements ProxyResponse {}
}
