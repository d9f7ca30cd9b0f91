package dev.cacheproxy.server.netty;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A zero-copy region over a channel that outlives it: {@link DefaultFileRegion} closes its channel when
 * released, but a fill follower sends many regions of one open channel and closes it itself.
 */
final class SharedChannelRegion extends DefaultFileRegion {
    SharedChannelRegion(FileChannel channel, long position, long count) {
        super(channel, position, count);
    }

    @Override
    protected void deallocate() {
        // the owner closes the channel
    }
}
