package dev.cacheproxy.modes.nix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.index.EntryUsage;
import dev.cacheproxy.core.index.FileEntryStore;
import dev.cacheproxy.core.index.UsageScan;
import dev.cacheproxy.core.quota.StorageSpace;
import dev.cacheproxy.core.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GC by roots on a store of pushed paths: a rooted closure is kept whole (its references with it), what was
 * pushed within the grace period is kept with its references, the rest goes narinfo first, and a NAR goes only
 * when no remaining narinfo names it.
 */
class ClosureCollectorTest {
    @TempDir
    java.nio.file.Path dir;

    private final MutableClock clock = MutableClock.atEpochDay();
    private FileBlobStore blobs;
    private HostedStore store;
    private EntryIndex index;
    private ClosureCollector gc;
    private final NixKeys.Signing key = NixContractTest.keyPair("gc-test-1");

    @BeforeEach
    void open() throws IOException {
        blobs = FileBlobStore.open(dir.resolve("blobs"));
        FileEntryStore entries = new FileEntryStore(dir.resolve("index"), dir.resolve("tmp"));
        EntryUsage usage = new EntryUsage();
        UsageScan.rebuild(entries, usage);
        index = new EntryIndex(entries, "nix", 100, usage, clock);
        store = new HostedStore("nix", blobs, index, StorageSpace.unlimited(blobs, clock), clock, CacheEvents.NONE, usage);
        gc = new ClosureCollector("nix", store, index, Duration.ofHours(24), clock, CacheEvents.NONE);
    }

    @AfterEach
    void close() throws IOException {
        blobs.close();
    }

    /** Pushes a path (its NAR, then its narinfo) with the given references (hash parts); returns its store path. */
    private String push(String hash, String... references) {
        byte[] nar = ("nar of " + hash).getBytes(StandardCharsets.UTF_8);
        String narKey = "nar/" + NarInfo.nix32Sha256(nar) + ".nar.xz";
        Digest digest = NixBase32.sha256(NarInfo.nix32Sha256(nar));
        assertInstanceOf(HostedStore.PutOutcome.Stored.class, store.put(narKey, "nix", new BytesUpload(nar), List.of(digest), 1 << 20, Map.of()));
        StringBuilder refs = new StringBuilder();
        for (String r : references) {
            refs.append(refs.isEmpty() ? "" : " ").append(r).append("-p");
        }
        String text = NixContractTest.narinfo(hash, nar, key).replace("References: \n", "References: " + refs + "\n")
                .replaceAll("Sig: .*\n", "");
        assertInstanceOf(HostedStore.PutOutcome.Stored.class, store.put(hash + ".narinfo", "nix",
                new BytesUpload(text.getBytes(StandardCharsets.UTF_8)), List.of(), 1 << 20, Map.of()));
        return "/nix/store/" + hash + "-p";
    }

    private boolean has(String key) {
        return store.entry(key).isPresent();
    }

    private long nars() throws IOException {
        long[] n = {0};
        index.forEachStored(e -> {
            if (e.key().startsWith("nar/")) {
                n[0]++;
            }
            return true;
        });
        return n[0];
    }

    private static final String A = "0g0rbwwx8201rmifrfk2bgd5b13516xa";
    private static final String B = "j0g5w98ldmq39c8rpnrsmiz9q9fczval";
    private static final String C = "94a8i24a1acd5b07xbpa0snrdi6ppnfm";
    private static final String D = "nwjzb6dzd4jikjly5n2khplf4nrx78g3";

    @Test
    void aRootedClosureIsKeptWhole_theRestGoes_narinfosBeforeNars() throws IOException {
        push(A);
        String b = push(B, A);
        push(C);
        assertInstanceOf(HostedStore.PutOutcome.Stored.class, store.put("gcroots/job-1", "nix",
                new BytesUpload((b + "\n").getBytes(StandardCharsets.UTF_8)), List.of(), 1 << 16, Map.of()));
        assertEquals(0, gc.run(100, false), "everything is young: nothing goes");
        clock.advance(Duration.ofHours(25));
        assertEquals(2, gc.run(100, true), "a dry run counts");
        assertTrue(has(C + ".narinfo"), "and removes nothing");
        assertEquals(2, gc.run(100, false), "C's narinfo and NAR");
        assertTrue(has(A + ".narinfo") && has(B + ".narinfo"), "B is rooted, A is its reference");
        assertFalse(has(C + ".narinfo"));
        assertEquals(2, nars(), "the NARs of A and B stay");
        assertEquals(new ClosureCollector.Outcome(clock.instant(), 1, 2, 1, 1), gc.last());

        store.delete("gcroots/job-1");
        assertEquals(4, gc.run(100, false), "no root left: both paths go");
        assertEquals(0, nars());
    }

    @Test
    void aYoungPathKeepsItsOldReferences() throws IOException {
        push(A);
        clock.advance(Duration.ofHours(25));
        push(D, A);
        assertEquals(0, gc.run(100, false), "D is young and references A: both stay");
        assertTrue(has(A + ".narinfo"));
    }

    @Test
    void aNarWithoutItsNarinfo_goesOnlyOnceOld() throws IOException {
        byte[] nar = "an upload whose narinfo never came".getBytes(StandardCharsets.UTF_8);
        String narKey = "nar/" + NarInfo.nix32Sha256(nar) + ".nar";
        Digest digest = NixBase32.sha256(NarInfo.nix32Sha256(nar));
        store.put(narKey, "nix", new BytesUpload(nar), List.of(digest), 1 << 20, Map.of());
        assertEquals(0, gc.run(100, false), "a push may be in progress");
        clock.advance(Duration.ofHours(25));
        assertEquals(1, gc.run(100, false));
        assertFalse(has(narKey));
    }
}
