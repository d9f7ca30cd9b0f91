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
 * The pacman mode proven by the real pacman with {@code SigLevel = Required DatabaseRequired}: a
 * repository built with makepkg and repo-add, packages and database signed (test resource
 * {@code pacman/make-repo.sh}), served by a real nginx in the Arch mirror layout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PacmanIT {
    private static final String DIR = "localtest/os/x86_64/";

    private Path work;
    private Path repo;
    private Path script;
    private NginxUpstream upstream;
    private TestProxy proxy;
    private LinuxRepoFixture fixture;

    @BeforeAll
    void start() throws Exception {
        script = Path.of(PacmanIT.class.getResource("/pacman/make-repo.sh").toURI());
        fixture = LinuxRepoFixture.start("pacman", "bash", script, 300);
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
    void sync_download_install_withSignaturesRequired_thenWithTheUpstreamStopped() throws Exception {
        Path p = pacmanDir("main");
        pacman(p, "-Sy");
        String list = pacman(p, "-Sl");
        assertTrue(list.contains("localtest hello-dep 1.0-1") && list.contains("localtest hello-bin 2.0-1"), list);
        pacman(p, "-Sw", "hello-dep", "hello-bin");
        assertSameAsUpstream(p.resolve("cache/hello-bin-2.0-1-x86_64.pkg.tar.zst"), "hello-bin-2.0-1-x86_64.pkg.tar.zst");
        try (java.util.stream.Stream<Path> cached = Files.list(p.resolve("cache"))) {
            assertTrue(cached.anyMatch(f -> f.getFileName().toString().startsWith("hello-local-1.")), "the dependency came along");
        }
        pacman(p, "-S", "hello-dep");
        assertTrue(pacman(p, "-Q").contains("hello-local 1."));
        assertTrue(Files.readString(p.resolve("root/usr/share/hello-local/README")).startsWith("hello-local 1."));
        List<String> log = upstream.accessLog();
        assertTrue(log.stream().anyMatch(l -> l.startsWith("GET /pacman/" + DIR + "localtest.db.sig 200")), log.toString());
        pacman(p, "-Fy"); // the file lists: passed through, then part of the generation
        assertTrue(pacman(p, "-Fl", "hello-bin").contains("usr/share/hello-bin/blob.bin"));

        awaitGeneration("localtest.db");
        awaitGeneration("localtest.files");
        upstream.stop();
        try {
            Path offline = pacmanDir("offline");
            pacman(offline, "-Sy");
            pacman(offline, "-Sw", "hello-dep");
            assertSameAsUpstream(offline.resolve("cache/hello-dep-1.0-1-any.pkg.tar.zst"), "hello-dep-1.0-1-any.pkg.tar.zst");
            pacman(offline, "-Fy");
        } finally {
            upstream.start();
        }
    }

    @Test
    void republishing_whilePacmanSyncs_neverGivesASignatureError() throws Exception {
        Path p = pacmanDir("republish");
        pacman(p, "-Sy");
        awaitGeneration();
        // pacman fails on any error: a database and a signature of two publications included
        LinuxRepoChecks.republishWhile(work, List.of("bash", script.toString(), "republish", repo.toString()), 3,
                () -> pacman(p, "-Syy"));
        for (int i = 0; i < 30; i++) {
            pacman(p, "-Syy");
            if (pacman(p, "-Sl").contains("localtest hello-local 1.4-1")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the republished hello-local 1.4 never arrived");
    }

    @Test
    void tamperedPackage_isRefused_notStored_andPacmanFails() throws Exception {
        Path published = repo.resolve(DIR + "tampered-1.0-1-any.pkg.tar.zst");
        Path p = pacmanDir("tampered");
        pacman(p, "-Sy");
        awaitGeneration(); // the database that lists the package's checksum is known to the proxy
        Files.copy(repo.resolve("tampered.evil"), published, StandardCopyOption.REPLACE_EXISTING);
        try {
            Commands.Result r = Commands.exec(p, pacmanCommand(p, "-Sw", "tampered"), 300);
            assertNotEquals(0, r.exit(), "pacman must not succeed with the tampered package: " + r.output());
            try {
                HttpResponse<byte[]> direct = proxy.get("/pacman/pacman/" + DIR + "tampered-1.0-1-any.pkg.tar.zst");
                assertFalse(direct.statusCode() == 200 && Arrays.equals(direct.body(), Files.readAllBytes(published)),
                        "the tampered package was served whole");
            } catch (IOException cut) {
                // expected: cut when the checksum did not match
            }
        } finally {
            Files.copy(repo.resolve("tampered.good"), published, StandardCopyOption.REPLACE_EXISTING);
        }
        HttpResponse<byte[]> good = proxy.get("/pacman/pacman/" + DIR + "tampered-1.0-1-any.pkg.tar.zst");
        assertEquals(200, good.statusCode());
        assertNotEquals("HIT", good.headers().firstValue("X-Cache").orElse(""), "nothing had been stored");
    }

    /** Until the proxy serves the upstream's current database from a published generation. */
    private void awaitGeneration() throws Exception {
        awaitGeneration("localtest.db");
    }

    /** Until the proxy serves the upstream's current {@code name} from a published generation. */
    private void awaitGeneration(String name) throws Exception {
        LinuxRepoChecks.awaitGeneration(proxy, "/pacman/pacman/" + DIR + name, repo.resolve(DIR + name));
    }

    /**
     * A private pacman configuration, database, cache, install root and keyring, with the proxy as the
     * only server of the repository and every signature required. The keyring trusts the repository's
     * key the way {@code pacman-key --add} and {@code --lsign-key} would.
     */
    private Path pacmanDir(String name) throws Exception {
        Path p = Files.createDirectories(work.resolve("pacman-" + name));
        for (String sub : List.of("root", "db", "cache")) {
            Files.createDirectories(p.resolve(sub));
        }
        Path gnupg = Files.createDirectories(p.resolve("gnupg"));
        Files.setPosixFilePermissions(gnupg, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Commands.run(p, List.of("gpg", "--homedir", gnupg.toString(), "--batch", "--quiet", "--import",
                repo.resolve("key.asc").toString()), 60);
        String fingerprint = Commands.run(p, List.of("gpg", "--homedir", gnupg.toString(), "--batch", "--with-colons",
                "--list-keys"), 60).lines().filter(l -> l.startsWith("fpr:")).findFirst().orElseThrow().split(":")[9];
        Path trust = Files.writeString(p.resolve("ownertrust"), fingerprint + ":6:\n");
        Commands.run(p, List.of("gpg", "--homedir", gnupg.toString(), "--batch", "--import-ownertrust", trust.toString()), 60);
        Files.writeString(p.resolve("pacman.conf"), "[options]\nArchitecture = x86_64\nSigLevel = Required DatabaseRequired\n"
                + "LocalFileSigLevel = Never\n[localtest]\nServer = http://127.0.0.1:%d/pacman/pacman/$repo/os/$arch\n"
                        .formatted(proxy.port()));
        return p;
    }

    private String pacman(Path p, String... args) throws Exception {
        return Commands.run(p, pacmanCommand(p, args), 300);
    }

    private static List<String> pacmanCommand(Path p, String... args) {
        List<String> cmd = new ArrayList<>(List.of("pacman", "--noconfirm", "--config", p.resolve("pacman.conf").toString(),
                "--root", p.resolve("root").toString(), "--dbpath", p.resolve("db").toString(),
                "--cachedir", p.resolve("cache").toString(), "--gpgdir", p.resolve("gnupg").toString(),
                "--logfile", p.resolve("pacman.log").toString()));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    private void assertSameAsUpstream(Path downloaded, String name) throws IOException {
        assertTrue(Arrays.equals(Files.readAllBytes(repo.resolve(DIR + name)), Files.readAllBytes(downloaded)),
                downloaded + " differs from the upstream's " + name);
    }
}
