package dev.cacheproxy.server.netty;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test help: what an HTTP decoder makes of one read holding a whole message. */
public final class DecodedPieces {
    private DecodedPieces() {}

    /**
     * Feeds {@code head} and {@code bodyBytes} zero bytes to the decoder in {@code ch} as one read; checks that it
     * decodes a message head of {@code headType} first, and returns the sizes of the body pieces it handed on.
     */
    public static List<Integer> of(EmbeddedChannel ch, String head, int bodyBytes,
            Class<? extends HttpMessage> headType) {
        ByteBuf read = Unpooled.buffer();
        read.writeCharSequence(head, StandardCharsets.US_ASCII);
        read.writeZero(bodyBytes);
        ch.writeInbound(read);
        assertInstanceOf(headType, ch.readInbound());
        List<Integer> pieces = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            HttpContent c = (HttpContent) m;
            if (c.content().isReadable()) {
                pieces.add(c.content().readableBytes());
            }
            c.release();
        }
        ch.finishAndReleaseAll();
        return pieces;
    }
}
