package dev.cacheproxy.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.fetch.Fill;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.Route;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    static class Inline extends AbstractExecutorService {
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

    /** Holds "virtual thread" work until the test runs it, in the order it chooses. */
    static final class Held extends Inline {
        final List<Runnable> tasks = new ArrayList<>();
        @Override
        public void execute(Runnable r) { tasks.add(r); }
    }

    /** A channel whose blocking work waits in {@code held}; every answer is a stream, closed into {@code closed}. */
    private EmbeddedChannel heldChannel(Held held, List<String> closed) {
        Dispatcher d = in -> new Dispatcher.Routed("test", Route.blocking(() -> {
            dispatched.add(in.method() + " " + in.rawPath());
            byte[] body = ("hi " + in.rawPath() + "\n").getBytes(StandardCharsets.UTF_8);
            return new ProxyResponse.Streamed(200, Headers.EMPTY, body.length,
                    new ByteArrayInputStream(body) {
                        @Override
                        public void close() {
                            closed.add(in.rawPath());
                        }
                    }, CacheStatus.MISS);
        }));
        return new EmbeddedChannel(new HttpServerCodec(), new RequestHandler(d,
                new ResponseWriter(new Inline(), new OpenFiles()), held, new ServerState(), (c, m, u, s, b, t, i, x, p, a) -> { }));
    }

    private static String pipelined(String... requests) {
        StringBuilder sb = new StringBuilder();
        for (String r : requests) {
            sb.append(r).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
        }
        return sb.toString();
    }

    @Test
    void pipelinedGets_areServedAheadOfTheirTurn_butWrittenInOrder() {
        Held held = new Held();
        EmbeddedChannel ch = heldChannel(held, new ArrayList<>());
        ch.writeInbound(Unpooled.copiedBuffer(pipelined("GET /1", "GET /2", "HEAD /3"), StandardCharsets.ISO_8859_1));
        assertEquals(3, held.tasks.size(), "all three started while the first is unanswered");
        held.tasks.get(2).run();
        held.tasks.get(1).run();
        assertEquals(List.of("HEAD /3", "GET /2"), dispatched);
        assertEquals("", drain(ch), "nothing is written before the first answer");
        held.tasks.get(0).run();
        String out = drain(ch);
        int first = out.indexOf("hi /1");
        int second = out.indexOf("hi /2");
        assertTrue(first > 0 && second > first && out.lastIndexOf("HTTP/1.1 200") > second, out);
        assertFalse(out.contains("hi /3"), "a HEAD answer has no body: " + out);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void atMostMaxAhead_areServedAhead_andNothingBehindAnUnsafeRequestBeforeItIsAnswered() {
        Held held = new Held();
        EmbeddedChannel ch = heldChannel(held, new ArrayList<>());
        List<String> requests = new ArrayList<>(List.of("GET /0"));
        for (int i = 1; i <= RequestHandler.MAX_AHEAD + 2; i++) {
            requests.add("GET /" + i);
        }
        requests.addAll(List.of("DELETE /d", "GET /d"));
        ch.writeInbound(Unpooled.copiedBuffer(pipelined(requests.toArray(String[]::new)), StandardCharsets.ISO_8859_1));
        assertEquals(1 + RequestHandler.MAX_AHEAD, held.tasks.size(), "the first, and MAX_AHEAD GETs after it");
        StringBuilder out = new StringBuilder();
        for (int ran = 0; ran < held.tasks.size(); ran++) {
            held.tasks.get(ran).run();
            out.append(drain(ch));
        }
        assertEquals(requests.size(), held.tasks.size(), "every request served once");
        assertEquals(List.of("DELETE /d", "GET /d"), dispatched.subList(dispatched.size() - 2, dispatched.size()),
                "the GET behind the DELETE is routed only after the DELETE was answered (RFC 9112 §9.3.2)");
        int at = 0;
        for (String r : requests) {
            int next = out.indexOf("hi " + r.substring(r.indexOf(' ') + 1) + "\n", at);
            assertTrue(next >= at, r + " answered in order: " + out);
            at = next;
        }
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void nothingStartsAhead_whileAnUnsafeRequestIsInProgress() {
        Held held = new Held();
        EmbeddedChannel ch = heldChannel(held, new ArrayList<>());
        ch.writeInbound(Unpooled.copiedBuffer(pipelined("DELETE /k", "GET /k", "GET /2"), StandardCharsets.ISO_8859_1));
        assertEquals(List.of(), dispatched, "held");
        assertEquals(1, held.tasks.size(), "only the DELETE: a GET of the same key must see what it did");
        held.tasks.get(0).run();
        drain(ch);
        assertEquals(3, held.tasks.size(), "once it is answered, the GETs start (the second one ahead)");
        held.tasks.get(1).run();
        held.tasks.get(2).run();
        assertEquals(List.of("DELETE /k", "GET /k", "GET /2"), dispatched);
        assertTrue(drain(ch).indexOf("hi /k") >= 0);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void answersMadeAhead_areLetGo_whenTheClientLeavesBeforeTheirTurn() {
        Held held = new Held();
        List<String> closed = new ArrayList<>();
        EmbeddedChannel ch = heldChannel(held, closed);
        ch.writeInbound(Unpooled.copiedBuffer(pipelined("GET /1", "GET /2", "GET /3"), StandardCharsets.ISO_8859_1));
        held.tasks.get(1).run(); // /2 answered ahead, before the client goes
        ch.close();
        held.tasks.get(2).run(); // /3 answered ahead, after
        held.tasks.get(0).run();
        ch.runPendingTasks();
        assertTrue(closed.containsAll(List.of("/1", "/2", "/3")), "every stream closed: " + closed);
        ch.finishAndReleaseAll();
    }

    @Test
    void anAnswerMadeAhead_thatWentStaleBeforeItsTurn_isServedAgain() {
        Held held = new Held();
        List<String> served = new ArrayList<>();
        Dispatcher d = in -> new Dispatcher.Routed("test", Route.blocking(() -> {
            served.add(in.rawPath());
            if (in.rawPath().equals("/2") && served.stream().filter("/2"::equals).count() == 1) {
                // the first answer: a fill that fails before the answer's turn comes
                Fill<Object> fill = new Fill<>("k");
                fill.aborted("the upstream went away");
                return new ProxyResponse.Filling(Headers.EMPTY, fill,
                        CacheStatus.MISS);
            }
            if (in.rawPath().equals("/3") && served.stream().filter("/3"::equals).count() == 1) {
                // the first answer: a stored blob that is gone by the answer's turn (collected, evicted)
                return new ProxyResponse.Stored(Headers.EMPTY, new BlobFile(
                        Digest.sha256Of(""), Path.of("/nonexistent/blob"), 7),
                        CacheStatus.HIT);
            }
            return ProxyResponse.Document.text(200, "hi " + in.rawPath() + "\n");
        }));
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new RequestHandler(d,
                new ResponseWriter(new Inline(), new OpenFiles()), held, new ServerState(), (c, m, u, s, b, t, i, x, p, a) -> { }));
        ch.writeInbound(Unpooled.copiedBuffer(pipelined("GET /1", "GET /2", "GET /3"), StandardCharsets.ISO_8859_1));
        held.tasks.get(1).run(); // /2 ahead: the failing fill
        held.tasks.get(2).run(); // /3 ahead: the blob that goes
        held.tasks.get(0).run();
        StringBuilder out = new StringBuilder(drain(ch));
        assertEquals(4, held.tasks.size(), "/2 asked again at its turn");
        held.tasks.get(3).run();
        out.append(drain(ch));
        assertEquals(5, held.tasks.size(), "/3 asked again at its turn");
        held.tasks.get(4).run();
        out.append(drain(ch));
        assertEquals(List.of("/2", "/3", "/1", "/2", "/3"), served);
        assertTrue(out.indexOf("hi /1") > 0 && out.indexOf("hi /2") > out.indexOf("hi /1")
                && out.indexOf("hi /3") > out.indexOf("hi /2"), out.toString());
        assertTrue(ch.isActive(), "no body was cut: the connection stays");
        assertFalse(ch.finishAndReleaseAll());
    }
}
