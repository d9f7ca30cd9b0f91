package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.UploadBody;
import dev.cacheproxy.core.path.InvalidPathException;
import dev.cacheproxy.core.path.RequestPath;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import java.net.URI;

/**
 * A request as read off the wire: method, raw path and query split, headers converted once, the
 * address it came from (null when unknown) and the body when the dispatcher asked for it (empty
 * otherwise).
 */
record IncomingRequest(String method, String rawPath, String rawQuery, Headers headers, String host, InetAddress client,
        byte[] body, String tlsSubject, UploadBody upload) {

    /** @param tlsSubject the verified client certificate's subject (mutual TLS), or null */
    static IncomingRequest of(HttpRequest req, InetAddress client, String tlsSubject) {
        String uri = req.uri();
        if (!uri.startsWith("/")) {
            // absolute-form (a proxy-style request line): keep only the path and query
            try {
                URI u = URI.create(uri);
                uri = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                        + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            } catch (IllegalArgumentException e) {
                uri = "\u0000invalid";
            }
        }
        int hash = uri.indexOf('#');
        if (hash >= 0) {
            uri = uri.substring(0, hash);
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? "" : uri.substring(q + 1);
        Headers.Builder h = Headers.builder();
        req.headers().forEach(e -> h.add(e.getKey(), e.getValue()));
        return new IncomingRequest(req.method().name(), path, query, h.build(), req.headers().get(HttpHeaderNames.HOST),
                client, new byte[0], tlsSubject, UploadBody.NONE);
    }

    /** The client's address as text, empty when unknown. */
    String clientAddress() {
        return client == null ? "" : client.getHostAddress();
    }

    IncomingRequest withBody(byte[] content) {
        return new IncomingRequest(method, rawPath, rawQuery, headers, host, client, content, tlsSubject, upload);
    }

    /** The request with its body streamed to the instance as it arrives (see {@link StreamedUpload}). */
    IncomingRequest withUpload(UploadBody streamed) {
        return new IncomingRequest(method, rawPath, rawQuery, headers, host, client, body, tlsSubject, streamed);
    }

    /** @throws InvalidPathException for a path that must be answered with 400 */
    RequestPath path() {
        if (rawPath.startsWith("\u0000")) {
            throw new InvalidPathException("malformed request target");
        }
        return RequestPath.parse(rawPath);
    }

    boolean isGetOrHead() {
        return method.equals("GET") || method.equals("HEAD");
    }
}
