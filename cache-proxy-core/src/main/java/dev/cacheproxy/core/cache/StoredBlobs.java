package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.digest.MultiDigester;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.EntryIndex;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far the engine trusts what it stored: a blob only while it has its entry's size (checked on every
 * hit; a damaged one is quarantined, counted and fetched again), and an entry stored before its digest
 * was known only once it has been checked against that digest.
 */
final class StoredBlobs {
    private static final Logger LOG = LoggerFactory.getLogger(CacheEngine.class);

    private final String instance;
    private final BlobStore store;
    private final EntryIndex index;
    private final CacheEvents events;

    StoredBlobs(String instance, BlobStore store, EntryIndex index, CacheEvents events) {
        this.instance = instance;
        this.store = store;
        this.index = index;
        this.events = events;
    }

    /**
     * The entry's blob when it is there and still has the entry's size (one stat); a blob of another
     * size was damaged on disk (truncated, appended to) and is quarantined, so it is never served as
     * complete. Blocks on disk I/O.
     */
    Optional<BlobFile> intact(CacheEntry entry) {
        Optional<BlobFile> blob = store.find(entry.blob());
        if (blob.isPresent() && blob.get().size() != entry.size()) {
            LOG.warn("[{}] blob {} of {} has {} bytes, its entry says {}", instance, entry.blob(), entry.key(),
                    blob.get().size(), entry.size());
            damaged(entry.blob(), "hit");
            return Optional.empty();
        }
        return blob;
    }

    void damaged(Digest blob, String foundBy) {
        try {
            store.quarantine(blob);
        } catch (IOException e) {
            LOG.error("[{}] could not quarantine damaged blob {}", instance, blob, e);
        }
        events.blobDamaged(foundBy);
    }

    /** A stored entry that no digest has vouched for yet, requested now that the mode knows one. */
    static boolean needsVerification(CacheRequest req, CacheEntry entry) {
        return !entry.verified() && !req.expected().isEmpty();
    }

    /**
     * Checks a stored body against the digests that became known after it was stored (npm learns a
     * tarball's integrity from its packument): kept and marked verified when it matches, forgotten (and
     * fetched again) when not. A SHA-256 is compared with the blob's name; other algorithms read it
     * once, which also tells whether the copy itself is damaged (then it is quarantined).
     */
    Optional<CacheEntry> verifyStored(CacheRequest req, CacheEntry entry) {
        return verifyStored(req.key(), req.expected(), entry);
    }

    /** {@link #verifyStored(CacheRequest, CacheEntry)} for the entry of {@code key} and the digests {@code expected}. */
    Optional<CacheEntry> verifyStored(String key, List<Digest> expected, CacheEntry entry) {
        List<Digest> sha256s = expected.stream().filter(d -> d.algorithm() == DigestAlgorithm.SHA256).toList();
        boolean matches;
        if (!sha256s.isEmpty()) {
            matches = sha256s.stream().allMatch(entry.blob()::equals);
        } else {
            Optional<Map<DigestAlgorithm, Digest>> actual = intact(entry).flatMap(b -> digests(b, expected));
            if (actual.isEmpty()) {
                return Optional.empty();
            }
            if (!actual.get().get(DigestAlgorithm.SHA256).equals(entry.blob())) {
                damaged(entry.blob(), "verify"); // the copy itself is damaged, not merely another body
            }
            matches = expected.stream().allMatch(d -> d.equals(actual.get().get(d.algorithm())));
        }
        try {
            if (matches) {
                CacheEntry verified = entry.asVerified();
                index.put(verified);
                return Optional.of(verified);
            }
            LOG.warn("[{}] stored {} does not match the digest its metadata now states; fetching again",
                    instance, key);
            events.verificationFailed(instance);
            index.remove(key);
        } catch (IOException e) {
            LOG.warn("[{}] could not update the entry of {}: {}", instance, key, e.toString());
        }
        return Optional.empty();
    }

    /** The blob's digests in the algorithms of {@code expected} and SHA-256, read once; empty when unreadable. */
    private Optional<Map<DigestAlgorithm, Digest>> digests(BlobFile blob, List<Digest> expected) {
        MultiDigester digester = new MultiDigester(expected);
        try (InputStream in = store.open(blob.digest())) {
            digester.update(in);
            return Optional.of(digester.finish());
        } catch (IOException e) {
            LOG.warn("[{}] could not read blob {}: {}", instance, blob.digest(), e.toString());
            return Optional.empty();
        }
    }
}
