package dev.cacheproxy.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The server's HTTP/1.1 decoder hands a request body on in the pieces Netty read it in, not cut to the decoder's
 * default of 8 KiB (eight trips through the pipeline and the upload's queue per read; issue 20's twelfth session).
 */
class DecoderPiecesTest {
    @Test
    void aReadOfAnUploadIsHandedOnWhole() {
        int size = ProxyServer.MAX_BODY_PIECE;
        assertEquals(List.of(size), DecodedPieces.of(new EmbeddedChannel(Pipelines.http1Codec()),
                "PUT /cache/k HTTP/1.1\r\nHost: h\r\nContent-Length: " + size + "\r\n\r\n", size, HttpRequest.class));
    }
}
