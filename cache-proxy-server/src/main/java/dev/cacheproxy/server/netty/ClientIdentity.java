package dev.cacheproxy.server.netty;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Who is at the other end of a connection, for the access log: the client's address, and under mutual TLS
 * the subject of the certificate it presented (verified against {@code server.tls.client_ca} during the
 * handshake). Worked out once per connection.
 */
final class ClientIdentity {
    private static final AttributeKey<String> KEY = AttributeKey.valueOf("cache-proxy.client");
    private static final AttributeKey<String> SUBJECT = AttributeKey.valueOf("cache-proxy.tls-subject");

    private ClientIdentity() {}

    /** {@code 10.0.0.7}, or {@code 10.0.0.7 cert="CN=ci-runner-7,O=Example"} with a client certificate. */
    static String of(Channel ch) {
        String known = ch.attr(KEY).get();
        if (known != null) {
            return known;
        }
        String address = ch.remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() : String.valueOf(ch.remoteAddress());
        String subject = subject(ch);
        String identity = subject == null ? address : address + " cert=\"" + subject.replace("\"", "\\\"") + "\"";
        ch.attr(KEY).set(identity);
        return identity;
    }

    /** The verified client certificate's subject (RFC 2253), or null without one; once per connection. */
    static String subject(Channel ch) {
        Channel connection = ch instanceof Http2StreamChannel ? ch.parent() : ch;
        String known = connection.attr(SUBJECT).get();
        if (known != null) {
            return known.isEmpty() ? null : known;
        }
        String subject = readSubject(ch);
        if (subject != null || handshakeDone(connection)) {
            connection.attr(SUBJECT).set(subject == null ? "" : subject);
        }
        return subject;
    }

    private static boolean handshakeDone(Channel connection) {
        SslHandler tls = connection.pipeline().get(SslHandler.class);
        return tls == null || tls.handshakeFuture().isSuccess();
    }

    private static String readSubject(Channel ch) {
        Channel connection = ch instanceof Http2StreamChannel ? ch.parent() : ch; // an HTTP/2 stream's connection
        SslHandler tls = connection.pipeline().get(SslHandler.class);
        if (tls == null || !tls.handshakeFuture().isSuccess()) {
            return null;
        }
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x
                    ? x.getSubjectX500Principal().getName() : null;
        } catch (SSLPeerUnverifiedException none) {
            return null; // no client certificate (client_auth: optional, or no client CA)
        }
    }
}
