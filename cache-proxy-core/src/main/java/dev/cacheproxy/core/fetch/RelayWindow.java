package dev.cacheproxy.core.fetch;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bytes of a fill past the point where its disk filled up ({@link Fill#spilled}): a bounded window in
 * memory that the fill's readers take their bytes from, in order, instead of the file. The fill's thread
 * appends and waits while the window is full; a reader that has copied its bytes says how far it is
 * ({@link #readerAt}), which lets the window drop what every reader has passed. A reader that stalls
 * longer than {@link #STALL} is dropped (its response is cut), so that one stuck client cannot hold the
 * upstream connection and the others forever.
 */
final class RelayWindow {
    static final Duration STALL = Duration.ofSeconds(60);

    private final long capacity;
    private final Deque<ByteBuffer> chunks = new ArrayDeque<>();
    /** The offset in the body of the first byte of {@link #chunks}. */
    private long base;
    private long end;
    private final Map<Object, Long> readers = new ConcurrentHashMap<>();

    RelayWindow(long start, long capacity) {
        this.base = start;
        this.end = start;
        this.capacity = capacity;
    }

    /**
     * Appends a copy of {@code chunk} (the body's bytes from {@link #end()} on), first waiting until the
     * window has room. Returns the readers dropped for stalling, to be told their body is cut.
     */
    synchronized Map<Object, Long> append(ByteBuffer chunk) throws InterruptedException {
        Map<Object, Long> dropped = new java.util.HashMap<>();
        long deadline = System.nanoTime() + STALL.toNanos();
        while (end - base >= capacity && !readers.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                long slowest = slowest();
                readers.entrySet().removeIf(e -> {
                    if (e.getValue() == slowest) {
                        dropped.put(e.getKey(), e.getValue());
                        return true;
                    }
                    return false;
                });
                trim();
                deadline = System.nanoTime() + STALL.toNanos();
                continue;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        if (readers.isEmpty()) {
            // nobody reads the relay (yet or any more): keep no more than the capacity
            while (!chunks.isEmpty() && end - base >= capacity) {
                base += chunks.removeFirst().remaining();
            }
        }
        ByteBuffer copy = ByteBuffer.allocate(chunk.remaining());
        copy.put(chunk.duplicate()).flip();
        chunks.addLast(copy.asReadOnlyBuffer());
        end += copy.remaining();
        return dropped;
    }

    synchronized long end() {
        return end;
    }

    /**
     * Up to {@code max} bytes of the body at {@code position}, or empty when they are not in the window
     * (not relayed yet, or dropped: the reader came too late or was dropped).
     */
    synchronized Optional<ByteBuffer> bytesAt(long position, int max) {
        if (position < base || position >= end) {
            return Optional.empty();
        }
        long at = base;
        for (ByteBuffer c : chunks) {
            if (position < at + c.remaining()) {
                ByteBuffer slice = c.duplicate();
                slice.position(c.position() + (int) (position - at));
                slice.limit(Math.min(slice.limit(), slice.position() + max));
                return Optional.of(slice.slice());
            }
            at += c.remaining();
        }
        return Optional.empty();
    }

    /** {@code reader} has taken every byte before {@code position}. */
    synchronized void readerAt(Object reader, long position) {
        readers.put(reader, position);
        trim();
        notifyAll();
    }

    /** {@code reader} reads no more. */
    synchronized void readerGone(Object reader) {
        if (readers.remove(reader) != null) {
            trim();
            notifyAll();
        }
    }

    private long slowest() {
        return readers.values().stream().mapToLong(Long::longValue).min().orElse(end);
    }

    private void trim() {
        long keepFrom = slowest();
        while (!chunks.isEmpty() && base + chunks.peekFirst().remaining() <= keepFrom) {
            base += chunks.removeFirst().remaining();
        }
    }
}
