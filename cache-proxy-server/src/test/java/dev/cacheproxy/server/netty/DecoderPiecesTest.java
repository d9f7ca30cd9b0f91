package dev.cacheproxy.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The server's HTTP/1.1 decoder hands a request body on in the pieces Netty read it in, not cut to the decoder's
 * default of 8 KiB (eight trips through the pipeline and the upload's queue per read; issue 20's twelfth session).
 */
class DecoderPiecesTest {
    @Test
    void aReadOfAnUploadIsHandedOnWhole() {
        EmbeddedChannel ch = new EmbeddedChannel(Pipelines.http1Codec());
        int size = ProxyServer.MAX_BODY_PIECE;
        ByteBuf read = Unpooled.buffer();
        read.writeCharSequence("PUT /cache/k HTTP/1.1\r\nHost: h\r\nContent-Length: " + size + "\r\n\r\n",
                StandardCharsets.US_ASCII);
        read.writeZero(size);
        ch.writeInbound(read);
        assertInstanceOf(HttpRequest.class, ch.readInbound());
        List<Integer> pieces = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            HttpContent c = (HttpContent) m;
            if (c.content().isReadable()) {
                pieces.add(c.content().readableBytes());
            }
            c.release();
        }
        assertEquals(List.of(size), pieces);
        ch.finishAndReleaseAll();
    }
}
