package dev.cacheproxy.modes.linuxrepo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootTest {
    @TempDir
    Path dir;

    private final Instant t0 = Instant.parse("2026-11-21T10:00:00Z");

    @Test
    void lifecycle_pendingActiveSuspect_andBack() {
        Root r = new Root("dists/bookworm");
        assertEquals(Root.State.PENDING, r.state());
        r.succeeded(t0);
        assertEquals(Root.State.ACTIVE, r.state());
        assertEquals(Root.State.SUSPECT, r.failed(RefreshException.transientFailure("502"), t0));
        assertEquals("502", r.lastError());
        r.succeeded(t0.plusSeconds(60));
        assertEquals(Root.State.ACTIVE, r.state());
        assertEquals(0, r.failures());
    }

    @Test
    void removed_onlyAfterRepeatedNotFound_spanningTheRemoveAge_thenRediscovered() {
        Root r = new Root("dists/gone");
        for (int i = 0; i < 10; i++) { // ten quick 404s are not enough: they must span five minutes
            assertEquals(Root.State.SUSPECT, r.failed(RefreshException.notFound("404"), t0.plusSeconds(i)));
        }
        assertEquals(Root.State.REMOVED, r.failed(RefreshException.notFound("404"), t0.plus(Duration.ofMinutes(5))));
        assertTrue(r.rediscovered());
        assertEquals(Root.State.PENDING, r.state());
        assertFalse(r.rediscovered(), "only a removed root comes back");
    }

    @Test
    void transientFailures_neverRemove() {
        Root r = new Root("dists/flaky");
        for (int i = 0; i < 20; i++) {
            r.failed(RefreshException.transientFailure("timeout"), t0.plus(Duration.ofMinutes(i)));
        }
        assertEquals(Root.State.SUSPECT, r.state());
    }

    @Test
    void rootsAndGenerations_surviveARestart() throws Exception {
        StateFiles files = new StateFiles(dir);
        Root r = new Root("dists/bookworm");
        r.want("main/binary-amd64");
        r.succeeded(t0);
        files.saveRoots(List.of(r.snapshot()));
        Generation g = new Generation("abc", "dists/bookworm", "http://up", t0,
                Map.of("dists/bookworm/InRelease", new Generation.FileRef("a".repeat(64), 10, Map.of("etag", "\"x\""))),
                Map.of("dists/bookworm/main/binary-amd64/Packages.gz", new Generation.FileRef("b".repeat(64), 5, Map.of())),
                Set.of("dists/bookworm/Release.gpg"), Set.of("main/binary-amd64"), true, t0.plusSeconds(3600), 42);
        files.publish(g);

        assertEquals(List.of(r.snapshot()), files.loadRoots());
        assertEquals(g, files.current("dists/bookworm").orElseThrow());
        assertTrue(files.current("dists/other").isEmpty());
    }

    @Test
    void restore_dropsRootsThatAreNotPlainPaths() throws Exception {
        // an older version let ..%2F smuggle dot segments into a root and persisted it (issue 14)
        StateFiles files = new StateFiles(dir);
        files.saveRoots(List.of(new Root("dists/bookworm").snapshot(), new Root("dists/../../private").snapshot(),
                new Root("a//b").snapshot(), new Root("flat\\x").snapshot(), new Root("").snapshot()));
        RootCatalog catalog = new RootCatalog("deb", files);
        catalog.restore();
        assertEquals(List.of("", "dists/bookworm"), catalog.all().stream().map(Root::path).sorted().toList());
    }

    @Test
    void aSaveAskedForByAClientRequestHappensOffItsThread_andCloseSavesWhatIsPending() throws Exception {
        StateFiles files = new StateFiles(dir);
        RootCatalog catalog = new RootCatalog("deb", files);
        catalog.discover("dists/bookworm").getKey().want("main/binary-amd64");
        synchronized (catalog) {
            // saves hold the catalog's monitor: one made on this thread would get in (re-entrant) and be on disk
            // now; the save thread has to wait until this block ends
            catalog.saveSoon();
            assertEquals(List.of(), files.loadRoots());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (files.loadRoots().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of("dists/bookworm"), files.loadRoots().stream().map(Root.Snapshot::path).toList());
        assertEquals(Set.of("main/binary-amd64"), Set.copyOf(files.loadRoots().get(0).wantedIndexDirs()));

        // what a saveSoon left pending (its thread not run yet, or the process stopping) is saved by flush
        catalog.discover("dists/trixie");
        catalog.saveSoon();
        catalog.flush();
        assertEquals(List.of("dists/bookworm", "dists/trixie"),
                files.loadRoots().stream().map(Root.Snapshot::path).sorted().toList());
    }
}
