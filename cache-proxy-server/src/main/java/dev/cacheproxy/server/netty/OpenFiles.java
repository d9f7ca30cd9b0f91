package dev.cacheproxy.server.netty;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.cacheproxy.core.blob.BlobFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open read-only channels of the blobs hits are served from, so that a hit costs no {@code open(2)} and
 * {@code close(2)} (with its path walk): nginx's {@code open_file_cache}. Measured on the 1 KiB hit, +16% req/s
 * (docs/benchmarks.md).
 *
 * <p>A channel is shared by every response sending from it and closed only when the cache has dropped it
 * (least recently used past {@link #MAX_OPEN}, or unused for {@link #IDLE}) and the last response using it
 * has been written: each holds a reference. A channel is used only for the file its {@link BlobFile} was
 * found as (same device and inode, same size): a file replaced at the same path (a fresh copy after a damaged
 * one was quarantined) is opened anew, and since a cached channel keeps its inode allocated, the inode number
 * cannot be reused by another file meanwhile. A blob deleted by GC keeps its disk space until its channel is
 * dropped, at most {@link #IDLE} after its last hit.
 */
final class OpenFiles implements AutoCloseable {
    static final int MAX_OPEN = 512;
    static final Duration IDLE = Duration.ofSeconds(30);

    private final Cache<Path, Handle> open;

    OpenFiles() {
        this(MAX_OPEN, IDLE);
    }

    OpenFiles(int maxOpen, Duration idle) {
        this.open = Caffeine.newBuilder().maximumSize(maxOpen).expireAfterAccess(idle)
                .scheduler(Scheduler.systemScheduler())
                .executor(Runnable::run) // closing a channel is one close(2): done where the cache decides it
                .removalListener((Path p, Handle h, RemovalCause cause) -> {
                    if (h != null) {
                        h.release(); // the cache's reference
                    }
                })
                .build();
    }

    /** A channel open on a blob's file, held for one response: {@link Handle#release()} it once written. */
    static final class Handle {
        private final FileChannel channel;
        private final Object fileKey;
        private final long size;
        private final AtomicInteger refs = new AtomicInteger(1); // the cache's, or the only user's

        private Handle(FileChannel channel, Object fileKey, long size) {
            this.channel = channel;
            this.fileKey = fileKey;
            this.size = size;
        }

        FileChannel channel() {
            return channel;
        }

        /** One more user, unless the channel is already closing. */
        private boolean retain() {
            for (int n = refs.get(); n > 0; n = refs.get()) {
                if (refs.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
            return false;
        }

        void release() {
            if (refs.decrementAndGet() == 0) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // a read-only channel: nothing was left to write
                }
            }
        }

        private boolean isOf(BlobFile blob) {
            return fileKey.equals(blob.fileKey()) && size == blob.size();
        }
    }

    /**
     * A channel of {@code blob}'s file for one response, held until {@link Handle#release()}: the cached one
     * when it is that very file, else a newly opened one (cached when {@code blob} says which file it is).
     */
    Handle acquire(BlobFile blob) throws IOException {
        if (blob.fileKey() == null) { // a store that does not say which file: never kept open
            return new Handle(FileChannel.open(blob.path(), StandardOpenOption.READ), null, blob.size());
        }
        Handle cached = open.getIfPresent(blob.path());
        if (cached != null) {
            if (cached.isOf(blob) && cached.retain()) {
                return cached;
            }
            open.asMap().remove(blob.path(), cached); // another file now, or closing: the listener drops it
        }
        Handle fresh = new Handle(FileChannel.open(blob.path(), StandardOpenOption.READ), blob.fileKey(), blob.size());
        fresh.retain(); // the caller's; the initial one is the cache's
        if (open.asMap().putIfAbsent(blob.path(), fresh) != null) {
            fresh.release(); // another response cached this path first: ours closes after its one use
        }
        return fresh;
    }

    /** How many channels the cache holds (tests). */
    long size() {
        open.cleanUp();
        return open.estimatedSize();
    }

    @Override
    public void close() {
        open.invalidateAll();
        open.cleanUp();
    }
}
