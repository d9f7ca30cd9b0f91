package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.Headers;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stored response's headers in the form Netty writes fastest, made once per replayed {@link Headers}
 * ({@link Headers#derived}: a hot entry hands every hit the same instance). Names and values are
 * {@link AsciiString}s, which the HTTP/1.1 encoder copies to the wire as bytes where a {@code String} is
 * encoded char by char, and they are validated here, once, so a hit's head can skip Netty's per-header
 * validation ({@link #HEADS}). Made for the 64 KiB hit, where encoding and validating the same few
 * headers again on every hit was about 5% of the server's CPU (docs/benchmarks.md). Its cost: a few hundred
 * bytes per hot entry once it is hit (the values' bytes; the names are shared), bounded by the hot index.
 */
final class WireHeaders {
    private static final Logger LOG = LoggerFactory.getLogger(WireHeaders.class);
    /** For response heads whose stored fields came through {@link #of} (everything else set on them is ours). */
    static final HttpHeadersFactory HEADS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    /**
     * Header names, one instance each: the stored names are a few fixed ones (content-type, etag, ...) plus those
     * modes declare, so every entry's wire form shares them; bounded all the same, in case an upstream varies.
     */
    private static final Map<String, AsciiString> NAMES = new ConcurrentHashMap<>();
    private static final int MAX_NAMES = 256;

    private final AsciiString[] names;
    private final AsciiString[] values;

    private WireHeaders(AsciiString[] names, AsciiString[] values) {
        this.names = names;
        this.values = values;
    }

    /**
     * The fields of {@code headers} Netty accepts; one it would refuse (a control character in a value) is left
     * out. About what copying them into validating Netty headers cost, so a head whose headers are not kept
     * (a mode that adds a header per response) pays no more than before.
     */
    static WireHeaders of(Headers headers) {
        List<AsciiString> names = new ArrayList<>(8);
        List<AsciiString> values = new ArrayList<>(8);
        headers.forEach((name, value) -> {
            // what Netty's validating headers check, without building a headers object for it
            if (name.isEmpty() || HttpHeaderValidationUtil.validateToken(name) != -1
                    || HttpHeaderValidationUtil.validateValidHeaderValue(value) != -1) {
                LOG.warn("response header {} left out: not a valid HTTP field", name);
                return;
            }
            names.add(nameOf(name));
            values.add(new AsciiString(value));
        });
        return new WireHeaders(names.toArray(AsciiString[]::new), values.toArray(AsciiString[]::new));
    }

    private static AsciiString nameOf(String name) {
        AsciiString known = NAMES.get(name);
        if (known != null) {
            return known;
        }
        AsciiString made = AsciiString.cached(name);
        if (NAMES.size() < MAX_NAMES) {
            NAMES.putIfAbsent(name, made);
        }
        return made;
    }

    void addTo(HttpHeaders to) {
        for (int i = 0; i < names.length; i++) {
            to.add(names[i], values[i]);
        }
    }
}
