package dev.cacheproxy.core.upstream;

import dev.cacheproxy.core.http.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

/**
 * How one HTTP request reaches one upstream URL and its answer comes back: the wire under
 * {@link UpstreamClient}, which decides everything else (which URL, which headers, failover, redirects,
 * challenges). Two implementations: {@link JdkUpstreamTransport} ({@code java.net.http}) and the server's
 * Netty client, which reads bodies into pooled direct buffers on event loops of its own.
 *
 * <p>Failures are thrown as {@code java.net.http}'s exceptions, whichever transport: a
 * {@link java.net.http.HttpConnectTimeoutException} when no connection was made within
 * {@code dial_timeout}, a {@link java.net.http.HttpTimeoutException} when no response head came within
 * {@code header_timeout}, any other {@link IOException} when the upstream could not be reached or the
 * exchange broke. Blocking: call from virtual threads.
 */
public interface UpstreamTransport {

    /**
     * Sends {@code method} to {@code uri} with exactly {@code headers} (the client has removed what must not
     * be forwarded and added its {@code User-Agent}) and {@code body} (empty for none), and returns once the
     * response head has arrived. The caller reads the answer's body and closes it; closing it early gives
     * the connection up rather than reading the rest.
     */
    Answer exchange(URI uri, String method, Headers headers, byte[] body) throws IOException, InterruptedException;

    /** A response head and its body, which the caller must close. */
    record Answer(int status, Headers headers, InputStream body) {}

    /** Makes the transport of one instance from its {@code transport} block. */
    @FunctionalInterface
    interface Factory {
        UpstreamTransport create(TransportSettings settings);
    }

    /** {@code java.net.http} for every instance (tests, {@code -validate}, and a server without its own). */
    Factory JDK = JdkUpstreamTransport::new;
}
