package dev.cacheproxy.core.upstream;

import dev.cacheproxy.core.http.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@link UpstreamTransport} over {@code java.net.http}: HTTP/1.1, no redirects (the client follows
 * them), through {@code transport.proxy} when one is configured.
 */
public final class JdkUpstreamTransport implements UpstreamTransport {
    /**
     * The JDK client reads a response into buffers of {@code jdk.httpclient.bufsize} (16 KiB by default)
     * and hands each to the reading thread before it reads again (re-arming the selector every time).
     * For a package of megabytes that handoff, not the network, sets the pace: a cold miss streamed at
     * about 250 MB/s on loopback; with 256 KiB it streams near the disk's speed (issue 20,
     * docs/benchmarks.md). Read once, when the JDK client is first used; a value set on the command line
     * wins.
     */
    static final String READ_BUFFER_BYTES = "262144";

    /**
     * The JDK drops Basic credentials from a {@code CONNECT} unless this property says otherwise (its
     * {@code net.properties} lists Basic), so HTTPS through a proxy that wants a password would fail. A proxy URL
     * with credentials is the operator's own choice, and they are sent only to that proxy ({@link #requestTo}).
     * Read once, when the JDK client is first used; every client is made here, so this runs first; a value set on
     * the command line wins.
     */
    static final String TUNNEL_DISABLED_SCHEMES = "jdk.http.auth.tunneling.disabledSchemes";

    static {
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", READ_BUFFER_BYTES);
        }
        if (System.getProperty(TUNNEL_DISABLED_SCHEMES) == null) {
            System.setProperty(TUNNEL_DISABLED_SCHEMES, "");
        }
    }

    private final TransportSettings settings;
    private final HttpClient http;

    public JdkUpstreamTransport(TransportSettings settings) {
        this.settings = settings;
        this.http = clientFor(settings, settings.dialTimeout()).version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * A {@code java.net.http} client builder for talking to upstreams as {@code transport} says: through its
     * proxy, following no redirects (our code follows them), connecting within {@code connectTimeout}. Every JDK
     * client that reaches an upstream (registry tokens, a build cache's forwarded writes) is made here, so
     * none goes around a configured proxy (ModuleRulesTest holds the code to it): behind an office proxy, probes
     * that did so opened the circuit of healthy upstreams, and registry token requests failed. Requests for such a
     * client are made by {@link #requestTo}.
     */
    public static HttpClient.Builder clientFor(TransportSettings transport, Duration connectTimeout) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        transport.proxy().ifPresent(p -> b.proxy(ProxySelector.of(new InetSocketAddress(p.getHost(), transport.proxyPort()))));
        return b;
    }

    /**
     * A request to {@code uri} for a {@link #clientFor} client: with the proxy URL's credentials, when it has any, as
     * {@code Proxy-Authorization} before any challenge (as Go's transport sends them). The JDK puts that header in the
     * {@code CONNECT} of an HTTPS request and leaves it out of what goes through the tunnel, so the upstream never
     * sees it. (An {@code Authenticator} would answer the proxy's 407 instead, but with one installed the JDK throws
     * on an upstream's own 401 rather than returning it, which registry token flows must see.)
     */
    public static HttpRequest.Builder requestTo(TransportSettings transport, URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        transport.proxyAuthorization().ifPresent(value -> b.header("Proxy-Authorization", value));
        return b;
    }

    @Override
    public Answer exchange(URI uri, String method, Headers headers, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = requestTo(settings, uri)
                .timeout(settings.headerTimeout())
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        HttpResponse<InputStream> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        // A proxy's refusal of a CONNECT (407, 403 ...) comes back as a response without a body stream
        return new Answer(resp.statusCode(), Headers.fromMap(resp.headers().map()),
                resp.body() == null ? InputStream.nullInputStream() : resp.body());
    }
}
