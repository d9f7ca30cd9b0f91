package dev.cacheproxy.core.index;

import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@link EntryUsage} meets the {@link EntryStore}: an entry's last use is kept as its document's
 * last-use time (a file's modification time). {@link #rebuild} reads every entry once after a start (in
 * the background: start-up does not wait for it), {@link #flush} writes the uses seen since, one
 * {@code utimes} per used entry and flush, never one per hit. A crash loses the uses since the last
 * flush, which only makes those entries look older than they are to the quota.
 */
public final class UsageScan {
    private static final Logger LOG = LoggerFactory.getLogger(UsageScan.class);

    private UsageScan() {}

    /** Loads every stored entry into {@code usage}, then marks it complete. Blocks on I/O. */
    public static int rebuild(EntryStore entries, EntryUsage usage) throws IOException {
        int[] loaded = {0};
        entries.forEach(null, (instance, name, bytes, lastUsed) -> {
            Optional<CacheEntry> e = EntryIndex.readQuietly(name, bytes);
            if (e.isPresent()) {
                usage.loaded(instance, e.get(), lastUsed);
                loaded[0]++;
            }
            return true;
        });
        usage.scanned();
        return loaded[0];
    }

    /** Writes the uses recorded since the last flush into the store. */
    public static int flush(EntryStore entries, EntryUsage usage) {
        int written = 0;
        for (EntryUsage.Unflushed u : usage.unflushed()) {
            try {
                entries.touch(u.instance(), u.name(), u.lastUsed());
                usage.flushed(u.instance(), u.name(), u.lastUsed());
                written++;
            } catch (IOException e) {
                LOG.debug("could not record the last use of {} of {}: {}", u.name(), u.instance(), e.toString());
            }
        }
        return written;
    }
}
