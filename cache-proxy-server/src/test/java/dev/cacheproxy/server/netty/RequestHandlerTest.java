package dev.cacheproxy.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.http.ProxyResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The request handler in an {@link EmbeddedChannel}, with paranoid leak detection; every test ends clean. */
class RequestHandlerTest {
    private final List<String> dispatched = new ArrayList<>();

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    /** Runs "virtual thread" work inline so the test is deterministic. */
    static final class Inline extends AbstractExecutorService {
        public void execute(Runnable r) { r.run(); }
        public void shutdown() {}
        public List<Runnable> shutdownNow() { return List.of(); }
        public boolean isShutdown() { return false; }
        public boolean isTerminated() { return false; }
        public boolean awaitTermination(long t, TimeUnit u) { return true; }
    }

    private EmbeddedChannel channel() {
        Inline inline = new Inline();
        Dispatcher d = (ex, in) -> {
            dispatched.add(in.method() + " " + in.rawPath());
            return in.rawPath().equals("/405") ? Responses.methodNotAllowed() : ProxyResponse.Document.text(200, "hi " + in.rawPath() + "\n");
        };
        return new EmbeddedChannel(
                new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(ProxyServer.MAX_INITIAL_LINE)
                        .setMaxHeaderSize(ProxyServer.MAX_HEADER_SIZE)),
                new RequestHandler(d, new ResponseWriter(inline), inline, new ServerState(),
                        (c, m, u, s, b, t, i, x, a) -> { }));
    }

    private static String drain(EmbeddedChannel ch) {
        ch.runPendingTasks();
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    @Test
    void get_isDispatchedAndAnswered() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET /x HTTP/1.1\r\nHost: h\r\n\r\n", StandardCharsets.ISO_8859_1));
        String out = drain(ch);
        assertTrue(out.startsWith("HTTP/1.1 200 OK"), out);
        assertTrue(out.endsWith("hi /x\n"), out);
        assertEquals(List.of("GET /x"), dispatched);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void pipelined_areAnsweredInOrder() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        String out = drain(ch);
        assertTrue(out.indexOf("hi /1") < out.indexOf("hi /2") && out.indexOf("hi /1") > 0, out);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void oversizedHeader_is431AndCloses() {
        EmbeddedChannel ch = channel();
        String big = "a".repeat(ProxyServer.MAX_HEADER_SIZE + 10);
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nX: " + big + "\r\n\r\n", StandardCharsets.ISO_8859_1));
        String out = drain(ch);
        assertTrue(out.startsWith("HTTP/1.1 431"), out);
        assertFalse(ch.isOpen());
        assertTrue(dispatched.isEmpty());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void requestWithABody_isAnsweredAndTheConnectionClosed() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("POST /405 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
                StandardCharsets.ISO_8859_1));
        String out = drain(ch);
        assertTrue(out.startsWith("HTTP/1.1 405"), out);
        assertTrue(out.toLowerCase().contains("allow: get, head"), out);
        assertFalse(ch.isOpen());
        assertFalse(ch.finishAndReleaseAll());
    }
}
