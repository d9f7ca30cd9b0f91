package dev.cacheproxy.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.Route;
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
        Dispatcher d = new Dispatcher() {
            @Override
            public Routed route(IncomingRequest in) {
                return new Routed("test", Route.blocking(() -> {
                    dispatched.add(in.method() + " " + in.rawPath() + (in.body().length > 0 ? " body=" + in.body().length : ""));
                    return in.rawPath().equals("/405") ? Responses.methodNotAllowed()
                            : ProxyResponse.Document.text(200, "hi " + in.rawPath() + "\n");
                }));
            }

            @Override
            public boolean readsBody(IncomingRequest in) {
                return in.rawPath().startsWith("/post");
            }
        };
        return new EmbeddedChannel(
                new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(ProxyServer.MAX_INITIAL_LINE)
                        .setMaxHeaderSize(ProxyServer.MAX_HEADER_SIZE)),
                new RequestHandler(d, new ResponseWriter(inline, new OpenFiles()), inline, new ServerState(),
                        (c, m, u, s, b, t, i, x, p, a) -> { }));
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

    @Test
    void acceptedPost_bodyIsReadAcrossChunks_andTheConnectionServesTheNextRequest() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("POST /post HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n", StandardCharsets.ISO_8859_1));
        assertEquals(List.of(), dispatched, "not dispatched before the last chunk");
        ch.writeInbound(Unpooled.copiedBuffer("2\r\nde\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        String out = drain(ch);
        assertEquals(List.of("POST /post body=5", "GET /next"), dispatched);
        assertEquals(2, out.split("HTTP/1.1 200 OK", -1).length - 1, out);
        assertTrue(ch.isActive());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void acceptedPost_tooLargeChunkedBody_is413AtOnce_andCloses() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("POST /post HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < 5; i++) { // 5 MiB of a body that never ends
            ch.writeInbound(Unpooled.wrappedBuffer(Unpooled.copiedBuffer(Integer.toHexString(chunk.length) + "\r\n",
                    StandardCharsets.ISO_8859_1), Unpooled.wrappedBuffer(chunk), Unpooled.copiedBuffer("\r\n",
                    StandardCharsets.ISO_8859_1)));
        }
        String out = drain(ch);
        assertTrue(out.startsWith("HTTP/1.1 413 "), out);
        assertEquals(List.of(), dispatched);
        assertFalse(ch.isActive());
        ch.finishAndReleaseAll();
    }

    @Test
    void acceptedPost_malformedChunk_is400AndCloses_nothingDispatched() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("POST /post HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "zz\r\nabc\r\n", StandardCharsets.ISO_8859_1));
        String out = drain(ch);
        assertTrue(out.startsWith("HTTP/1.1 400 "), out);
        assertEquals(List.of(), dispatched);
        assertFalse(ch.isActive());
        ch.finishAndReleaseAll();
    }

    @Test
    void postToAPathThatDoesNotAcceptIt_bodyUnread_connectionClosedAfterTheAnswer() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("POST /other HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
                StandardCharsets.ISO_8859_1));
        String out = drain(ch);
        assertTrue(out.startsWith("HTTP/1.1 200 OK"), out); // this test dispatcher answers everything
        assertEquals(List.of("POST /other"), dispatched, "the body was not read");
        assertFalse(ch.isActive());
        ch.finishAndReleaseAll();
    }

    @Test
    void anUploadAnsweredWithoutBeingRead_releasesItsBuffers() {
        Inline inline = new Inline();
        Dispatcher refusing = new Dispatcher() {
            @Override
            public Routed route(IncomingRequest in) {
                return new Routed("test", Route.blocking(() -> ProxyResponse.Document.text(401, "who are you?\n")));
            }

            @Override
            public boolean streamsBody(IncomingRequest in) {
                return true;
            }
        };
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new RequestHandler(refusing,
                new ResponseWriter(inline, new OpenFiles()), inline, new ServerState(), (c, m, u, s, b, t, i, x, p, a) -> { }));
        // the whole body arrives with the head (a small PUT), so the upload is complete when it is refused
        ByteBuf wire = Unpooled.copiedBuffer("PUT /k HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
                StandardCharsets.ISO_8859_1);
        ch.writeInbound(wire);
        String out = drain(ch);
        assertTrue(out.startsWith("HTTP/1.1 401"), out);
        assertEquals(0, wire.refCnt(), "the refused upload's body was released, not left for the garbage collector");
        ch.finishAndReleaseAll();
    }
}
