package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The apk mode, checked the way apk-tools checks a repository (no apk client runs on this machine): a
 * repository written in apk's own format with signed index and packages (test resource
 * {@code apk/make-repo.py}), served by a real nginx, and {@code apk/check.py}, which verifies through the
 * proxy the index signature, every package's size, control checksum, signature and datahash.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApkIT {
    private static final String DIR = "v3.20/main/x86_64/";

    private Path work;
    private Path repo;
    private Path generator;
    private Path checker;
    private NginxUpstream upstream;
    private TestProxy proxy;
    private LinuxRepoFixture fixture;

    @BeforeAll
    void start() throws Exception {
        generator = Path.of(ApkIT.class.getResource("/apk/make-repo.py").toURI());
        checker = Path.of(ApkIT.class.getResource("/apk/check.py").toURI());
        fixture = LinuxRepoFixture.start("apk", "python3", generator, 120);
        work = fixture.work();
        repo = fixture.repo();
        upstream = fixture.upstream();
        proxy = fixture.proxy();
    }

    @AfterAll
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void indexAndEveryPackage_verifyThroughTheProxy_thenWithTheUpstreamStopped() throws Exception {
        // every package but "tampered", which its own test must be the first to fetch
        String[] packages = {"hello-local", "hello-dep", "hello-bin"};
        String first = check(packages);
        assertTrue(first.contains("ok hello-bin-2.0-r0.apk") && first.contains("ok hello-dep-1.0-r0.apk"), first);
        awaitGeneration();
        upstream.stop();
        try {
            assertEquals(first, check(packages), "served from the cache with the upstream down");
        } finally {
            upstream.start();
        }
    }

    @Test
    void noCacheOnTheIndex_isAnsweredFromTheGeneration() throws Exception {
        check("--no-cache", "hello-dep");
        awaitGeneration();
        HttpResponse<byte[]> r = proxy.get("/apk/apk/" + DIR + "APKINDEX.tar.gz", "Cache-Control", "no-cache");
        assertEquals(200, r.statusCode());
        assertEquals("HIT", r.headers().firstValue("X-Cache").orElse(""), "apk update's no-cache is not forwarded");
        assertTrue(Arrays.equals(Files.readAllBytes(repo.resolve(DIR + "APKINDEX.tar.gz")), r.body()),
                "the upstream's signed index, byte for byte");
    }

    @Test
    void republishing_whileTheClientChecks_neverGivesABadSignatureOrChecksum() throws Exception {
        check("hello-local");
        awaitGeneration();
        LinuxRepoChecks.republishWhile(work, List.of("python3", generator.toString(), "republish", repo.toString()), 3,
                () -> check("--no-cache", "hello-local"));
        for (int i = 0; i < 30; i++) {
            if (check("--no-cache", "hello-local").contains("ok hello-local-1.4-r0.apk")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the republished hello-local 1.4 never arrived");
    }

    @Test
    void tamperedPackage_isRefused_notStored_andTheClientFails() throws Exception {
        Path published = repo.resolve(DIR + "tampered-1.0-r0.apk");
        check("hello-dep");
        awaitGeneration(); // the index that lists the package's checksum is known to the proxy
        Files.copy(repo.resolve("tampered.evil"), published, StandardCopyOption.REPLACE_EXISTING);
        try {
            Commands.Result r = Commands.exec(work, checkCommand("tampered"), 120);
            assertNotEquals(0, r.exit(), "the client must fail on the tampered package: " + r.output());
            try {
                HttpResponse<byte[]> direct = proxy.get("/apk/apk/" + DIR + "tampered-1.0-r0.apk");
                assertFalse(direct.statusCode() == 200 && Arrays.equals(direct.body(), Files.readAllBytes(published)),
                        "the tampered package was served whole");
            } catch (IOException cut) {
                // expected: cut when the check failed
            }
        } finally {
            Files.copy(repo.resolve("tampered.good"), published, StandardCopyOption.REPLACE_EXISTING);
        }
        HttpResponse<byte[]> good = proxy.get("/apk/apk/" + DIR + "tampered-1.0-r0.apk");
        assertEquals(200, good.statusCode());
        assertNotEquals("HIT", good.headers().firstValue("X-Cache").orElse(""), "nothing had been stored");
        assertTrue(check("tampered").contains("ok tampered-1.0-r0.apk"));
    }

    /** Until the proxy serves the upstream's current index from a published generation. */
    private void awaitGeneration() throws Exception {
        LinuxRepoChecks.awaitGeneration(proxy, "/apk/apk/" + DIR + "APKINDEX.tar.gz", repo.resolve(DIR + "APKINDEX.tar.gz"));
    }

    private String check(String... args) throws Exception {
        return Commands.run(work, checkCommand(args), 120);
    }

    private List<String> checkCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3", checker.toString(),
                "http://127.0.0.1:" + proxy.port() + "/apk/apk/v3.20/main", repo.resolve("keys/local-test.rsa.pub").toString()));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }
}
