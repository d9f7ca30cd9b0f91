package dev.cacheproxy.core.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@link EntryUsage} meets the disk: an entry's last use is kept as the modification time of its
 * file. {@link #rebuild} reads every entry file once after a start (in the background: start-up does
 * not wait for it), {@link #flush} writes the uses seen since, one {@code utimes} per used entry and
 * flush, never one per hit. A crash loses the uses since the last flush, which only makes those entries
 * look older than they are to the quota.
 */
public final class UsageScan {
    private static final Logger LOG = LoggerFactory.getLogger(UsageScan.class);

    private UsageScan() {}

    /** Loads every entry under {@code indexRoot} into {@code usage}, then marks it complete. Blocks on disk I/O. */
    public static int rebuild(Path indexRoot, EntryUsage usage) throws IOException {
        int[] loaded = {0};
        if (Files.isDirectory(indexRoot)) {
            try (Stream<Path> instances = Files.list(indexRoot)) {
                for (Path dir : instances.filter(Files::isDirectory).toList()) {
                    String instance = dir.getFileName().toString();
                    try (Stream<Path> files = Files.walk(dir)) {
                        files.filter(p -> p.getFileName().toString().endsWith(".json")).forEach(p -> {
                            Optional<CacheEntry> e = EntryIndex.readQuietly(p);
                            if (e.isPresent()) {
                                lastModified(p).ifPresent(t -> {
                                    usage.loaded(instance, e.get(), t);
                                    loaded[0]++;
                                });
                            }
                        });
                    } catch (UncheckedIOException e) {
                        throw e.getCause();
                    }
                }
            }
        }
        usage.scanned();
        return loaded[0];
    }

    /** Writes the uses recorded since the last flush into the entry files' modification times. */
    public static int flush(Path indexRoot, EntryUsage usage) {
        int written = 0;
        for (EntryUsage.Unflushed u : usage.unflushed()) {
            Path file = EntryIndex.fileOf(indexRoot, u.id().instance(), u.id().key());
            try {
                Files.setLastModifiedTime(file, FileTime.fromMillis(u.lastUsed()));
                usage.flushed(u.id(), u.lastUsed());
                written++;
            } catch (NoSuchFileException e) {
                // removed since: nothing to remember
            } catch (IOException e) {
                LOG.debug("could not record the last use of {}: {}", file, e.toString());
            }
        }
        return written;
    }

    private static Optional<Long> lastModified(Path file) {
        try {
            return Optional.of(Files.getLastModifiedTime(file).toMillis());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
