package dev.cacheproxy.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.core.http.Headers;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PublicUrlsTest {
    private static final Headers FORWARDED = Headers.of("Host", "proxy.internal:8080",
            "X-Forwarded-Host", "cache.example.org", "X-Forwarded-Proto", "https");

    @Test
    void forwardedHeaders_countOnlyFromTrustedProxies() throws Exception {
        PublicUrls urls = new PublicUrls(Optional.empty(), "127.0.0.1:18080", TrustedProxies.of(List.of("10.0.0.0/8")));
        assertEquals("https://cache.example.org/npm", urls.base(FORWARDED, InetAddress.getByName("10.1.2.3"), "/npm"));
        assertEquals("http://proxy.internal:8080/npm", urls.base(FORWARDED, InetAddress.getByName("192.0.2.7"), "/npm"));
        assertEquals("http://proxy.internal:8080/npm", urls.base(FORWARDED, null, "/npm"));
    }

    @Test
    void aHostThatIsNotAHostName_fallsBackToTheListener() throws Exception {
        PublicUrls urls = new PublicUrls(Optional.empty(), "127.0.0.1:18080", TrustedProxies.NONE);
        InetAddress client = InetAddress.getByName("192.0.2.7");
        assertEquals("http://127.0.0.1:18080/npm", urls.base(Headers.of("Host", "a/b@evil"), client, "/npm"));
        assertEquals("http://127.0.0.1:18080/npm", urls.base(Headers.of("Host", "x\"><script>"), client, "/npm"));
        assertEquals("http://[::1]:18080/npm", urls.base(Headers.of("Host", "[::1]:18080"), client, "/npm"));
        assertEquals("http://127.0.0.1:18080/npm", urls.base(Headers.EMPTY, client, "/npm"));
    }

    @Test
    void publicUrl_winsOverEverything() throws Exception {
        PublicUrls urls = new PublicUrls(Optional.of(URI.create("https://cache.example.org/")), "127.0.0.1:18080",
                TrustedProxies.of(List.of("0.0.0.0/0")));
        assertEquals("https://cache.example.org/npm", urls.base(FORWARDED, InetAddress.getByName("10.1.2.3"), "/npm"));
    }

    @Test
    void trustedProxies_matchAddressesAndRanges() throws Exception {
        TrustedProxies t = TrustedProxies.of(List.of("127.0.0.1", "10.0.0.0/8", "fd00::/8"));
        assertEquals(true, t.contains(InetAddress.getByName("127.0.0.1")));
        assertEquals(false, t.contains(InetAddress.getByName("127.0.0.2")));
        assertEquals(true, t.contains(InetAddress.getByName("10.255.0.1")));
        assertEquals(false, t.contains(InetAddress.getByName("11.0.0.1")));
        assertEquals(true, t.contains(InetAddress.getByName("fd12::1")));
        assertEquals(false, t.contains(InetAddress.getByName("::1")));
    }
}
