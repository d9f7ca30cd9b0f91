package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.upstream.UpstreamClient;
import dev.cacheproxy.core.upstream.UpstreamRequest;
import dev.cacheproxy.core.upstream.UpstreamResult;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Requests that are sent upstream as they are and streamed back, storing nothing: a mode's API calls
 * and {@code policy: bypass}. Upstream failures become 502/504 as everywhere; the bytes are counted as
 * upstream bytes when the writer closes the stream.
 */
final class Passthrough {
    private final String instance;
    private final UpstreamClient upstream;
    private final CacheEvents events;

    Passthrough(String instance, UpstreamClient upstream, CacheEvents events) {
        this.instance = instance;
        this.upstream = upstream;
        this.events = events;
    }

    /** Sends {@code request} upstream as it is and streams the answer back with {@code declared} headers too. */
    ProxyResponse forward(UpstreamRequest request, List<String> declared, ErrorStyle errors) {
        UpstreamResult r = upstream.send(request);
        return switch (r) {
            case UpstreamResult.Failed f -> EngineAnswers.failure(errors, instance, new FillOutcome.Failed(f.timeout(), 0, f.detail()));
            case UpstreamResult.Answered a -> {
                Headers headers = ResponseHeaders.passed(a.headers(), declared);
                boolean noBody = request.method().equals("HEAD") || a.status() == 304 || a.status() == 204;
                if (noBody) {
                    a.close();
                }
                yield new ProxyResponse.Streamed(a.status(), headers, a.contentLength(),
                        noBody ? InputStream.nullInputStream() : counted(a.body()), CacheStatus.BYPASS);
            }
        };
    }

    /** An upstream body that reports its bytes as upstream bytes when the writer closes it. */
    InputStream counted(InputStream upstreamBody) {
        return new CountingStream(upstreamBody);
    }

    /**
     * The request's own GET, forwarded without storing (a fill whose body another request already took),
     * its body checked against {@code expected} as it streams ({@link VerifyingStream}).
     */
    ProxyResponse unstored(CacheRequest req, List<Digest> expected) {
        ProxyResponse r = forward(req.fetch().as("GET", req.fetch().headers()), req.declaredHeaders(), req.errors());
        if (r instanceof ProxyResponse.Streamed s && s.status() == 200 && !expected.isEmpty()) {
            return new ProxyResponse.Streamed(s.status(), s.headers(), s.contentLength(),
                    new VerifyingStream(s.body(), expected), s.cache());
        }
        return r;
    }

    /** A request under {@code policy: bypass}: forwarded with the client's range and validators, stored nowhere. */
    ProxyResponse bypass(CacheRequest req) {
        Headers.Builder h = req.fetch().headers().toBuilder();
        for (String name : new String[] {"Range", "If-Range", "If-None-Match", "If-Modified-Since"}) {
            req.client().headers().first(name).ifPresent(v -> h.set(name, v));
        }
        return forward(req.fetch().as(req.method(), h.build()), req.declaredHeaders(), req.errors());
    }

    static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // an upstream body nobody will read
        }
    }

    /** Reports bypassed bytes as upstream bytes when the writer closes the stream. */
    private final class CountingStream extends FilterInputStream {
        private long n;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) n++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = super.read(b, off, len);
            if (r > 0) n += r;
            return r;
        }

        @Override
        public void close() throws IOException {
            events.upstreamBytes(instance, n);
            super.close();
        }
    }
}
