package dev.cacheproxy.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cacheproxy.core.http.Headers;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class WireHeadersTest {
    @Test
    void everyStoredField_reachesTheHead_inOrderAndWithEveryValue() {
        Headers stored = Headers.builder().add("content-type", "application/json").add("link", "<a>; rel=next")
                .add("link", "<b>; rel=prev").add("etag", "\"abc\"").build();
        HttpHeaders head = new DefaultHttpHeaders();
        WireHeaders.of(stored).addTo(head);
        assertEquals("application/json", head.get("Content-Type"));
        assertEquals(java.util.List.of("<a>; rel=next", "<b>; rel=prev"), head.getAll("link"));
        assertEquals("\"abc\"", head.get("etag"));
    }

    @Test
    void aValueNettyWouldRefuse_isLeftOut_theOthersKept() {
        // the heads skip Netty's per-hit validation, so what it would refuse must not get through here
        Headers stored = Headers.builder().add("content-type", "text/plain").add("x-bad", "a\r\nx-injected: 1").build();
        HttpHeaders head = new DefaultHttpHeaders();
        WireHeaders.of(stored).addTo(head);
        assertEquals("text/plain", head.get("content-type"));
        assertNull(head.get("x-bad"));
        assertNull(head.get("x-injected"));
    }

    @Test
    void theWireForm_isMadeOncePerHeadersInstance() {
        Headers stored = Headers.of("content-type", "text/plain");
        assertSame(stored.derived(WireHeaders.class, WireHeaders::of), stored.derived(WireHeaders.class, WireHeaders::of));
    }
}
