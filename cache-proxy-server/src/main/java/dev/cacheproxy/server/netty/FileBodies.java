package dev.cacheproxy.server.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * How a part of a stored file goes to a client. On a cleartext HTTP/1.1 connection as a {@link DefaultFileRegion}:
 * {@code sendfile(2)}, the bytes never enter the JVM. Under TLS the bytes must be encrypted, and an HTTP/2
 * stream sends DATA frames, so there (the pipelines that have a {@link ChunkedWriteHandler}) they are
 * read in 64 KiB chunks into pooled buffers as the connection can take them ({@link ChunkedNioFile} as
 * HTTP content, through the {@code ChunkedWriteHandler} that TLS listeners have between the request handler
 * and the HTTP codec, so that the codec frames the chunks of a chunked response): still streamed from disk,
 * never the whole object in memory.
 */
final class FileBodies {
    /** The chunk a TLS connection reads at once: four TLS records. */
    static final int TLS_CHUNK = 64 * 1024;

    private FileBodies() {}

    /**
     * Writes {@code count} bytes of {@code file} from {@code position}; the future completes when they are
     * written (or failed). When {@code shared}, the file channel outlives the write (a fill follower sends
     * many parts of one open channel, a hit sends from a channel {@link OpenFiles} keeps) and its owner closes
     * it; otherwise the write closes it when done.
     */
    static ChannelFuture write(ChannelHandlerContext ctx, FileChannel file, long position, long count, boolean shared) {
        if (ctx.pipeline().get(ChunkedWriteHandler.class) == null) {
            return ctx.write(shared ? new SharedChannelRegion(file, position, count) : new DefaultFileRegion(file, position, count));
        }
        try {
            return ctx.write(new AsContent(shared ? new SharedChunkedFile(file, position, count)
                    : new ChunkedNioFile(file, position, count, TLS_CHUNK)));
        } catch (IOException e) {
            ctx.fireExceptionCaught(e); // the channel was closed under us: the connection ends
            return ctx.newFailedFuture(e);
        }
    }

    /**
     * File chunks as HTTP content (Netty's {@code HttpChunkedInput} would also end the response; our
     * writers end it themselves, after the last part).
     */
    private record AsContent(ChunkedInput<ByteBuf> file) implements ChunkedInput<HttpContent> {
        @Override
        public boolean isEndOfInput() throws Exception {
            return file.isEndOfInput();
        }

        @Override
        public void close() throws Exception {
            file.close();
        }

        @Override
        @Deprecated
        public HttpContent readChunk(ChannelHandlerContext ctx) throws Exception {
            return readChunk(ctx.alloc());
        }

        @Override
        public HttpContent readChunk(ByteBufAllocator allocator) throws Exception {
            ByteBuf b = file.readChunk(allocator);
            return b == null ? null : new DefaultHttpContent(b);
        }

        @Override
        public long length() {
            return file.length();
        }

        @Override
        public long progress() {
            return file.progress();
        }
    }

    /** Chunks of a channel its owner closes. */
    private static final class SharedChunkedFile extends ChunkedNioFile {
        SharedChunkedFile(FileChannel file, long position, long count) throws IOException {
            super(file, position, count, TLS_CHUNK);
        }

        @Override
        public void close() {
            // the owner closes the channel
        }
    }
}
