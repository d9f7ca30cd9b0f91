package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deb mode end to end with the real {@code apt-get} (throw-away state tree) against a signed archive
 * built by {@code deb/make-repository.sh} with dpkg-deb, dpkg-source, apt-ftparchive and gpg, served by
 * nginx: two suites, two components, amd64 + arm64 + all, sources, a flat repository, by-hash on.
 */
class DebIT {
    @TempDir
    Path work;

    private Path repo;
    private Path script;
    private NginxUpstream upstream;
    private TestProxy proxy;

    @BeforeEach
    void start() throws Exception {
        script = Path.of(DebIT.class.getResource("/deb/make-repository.sh").toURI());
        repo = work.resolve("up/deb");
        Commands.run(work, List.of("bash", script.toString(), "init", repo.toString()), 120);
        upstream = new NginxUpstream(work.resolve("nginx"), work.resolve("up"), "");
        upstream.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        upstream.close();
    }

    private void startProxy(String refreshInterval) throws Exception {
        proxy = TestProxy.start(work.resolve("backend"), "", """
                  - name: deb
                    enabled: true
                    deb:
                      route: { path: /deb }
                      upstreams: ["${UPSTREAM}"]
                      refresh_interval: %s
                """.formatted(refreshInterval), upstream.url("/deb"));
    }

    private AptClient apt(String name) throws IOException {
        String u = "http://127.0.0.1:" + proxy.port() + "/deb";
        String key = "[signed-by=" + repo.resolve("key.gpg") + "]";
        return new AptClient(work.resolve(name), """
                deb %2$s %1$s bookworm main contrib
                deb-src %2$s %1$s bookworm main
                deb %2$s %1$s trixie main
                deb [trusted=yes] %1$s/flat ./
                """.formatted(u, key));
    }

    @Test
    void updateAndInstallOverHttps_withTheTestCaAndAClientCertificate() throws Exception {
        TestCa ca = TestCa.create(work.resolve("tls-ca"), "deb test CA");
        TestCa.Issued server = ca.server("localhost", "DNS:localhost");
        TestCa.Issued client = ca.client("apt-on-ci");
        proxy = TestProxy.start(work.resolve("backend"), TestCa.tlsYaml(server, ca.certificate()), """
                  - name: deb
                    enabled: true
                    deb:
                      route: { path: /deb }
                      upstreams: ["${UPSTREAM}"]
                """, upstream.url("/deb"));
        AptClient apt = new AptClient(work.resolve("apt-https"), "deb [signed-by=" + repo.resolve("key.gpg") + "] https://localhost:"
                + proxy.port() + "/deb bookworm main\n");
        String[] tls = {"-o", "Acquire::https::CaInfo=" + ca.certificate(), "-o", "Acquire::https::SslCert="
                + client.certificate(), "-o", "Acquire::https::SslKey=" + client.key()};
        apt.run(concat(tls, "update"));
        apt.run(concat(tls, "install", "--download-only", "-y", "hello-dep"));
        assertSameAsUpstream(apt.archives().resolve("hello-dep_1.0_all.deb"), "pool/main/h/hello-dep/hello-dep_1.0_all.deb");
        Commands.Result noCert = new AptClient(work.resolve("apt-https-nocert"), "deb [signed-by=" + repo.resolve("key.gpg")
                + "] https://localhost:" + proxy.port() + "/deb bookworm main\n")
                .exec("-o", "Acquire::https::CaInfo=" + ca.certificate(), "update");
        assertTrue(noCert.output().contains("Err:") || noCert.output().contains("W:"),
                "without its client certificate apt gets no handshake: " + noCert.output());
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    @Test
    void update_install_download_andSource_thenEverythingIsServedWithoutTheUpstream() throws Exception {
        startProxy("1h");
        AptClient apt = apt("apt1");
        apt.run("update");
        apt.run("install", "--download-only", "-y", "hello-dep");
        apt.run("download", "hello-bin", "hello-bin:arm64", "extra-tool", "flat-pkg");
        apt.run("source", "--download-only", "hello-src");
        assertSameAsUpstream(apt.archives().resolve("hello-dep_1.0_all.deb"), "pool/main/h/hello-dep/hello-dep_1.0_all.deb");
        // the dependency resolves to the newest hello-local: 3.0 from the trixie suite
        assertSameAsUpstream(apt.archives().resolve("hello-local_3.0_all.deb"), "pool/trixie/h/hello-local/hello-local_3.0_all.deb");
        assertSameAsUpstream(apt.downloads().resolve("hello-bin_2.0_arm64.deb"), "pool/main/h/hello-bin/hello-bin_2.0_arm64.deb");
        assertSameAsUpstream(apt.downloads().resolve("hello-bin_2.0_amd64.deb"), "pool/main/h/hello-bin/hello-bin_2.0_amd64.deb");
        assertSameAsUpstream(apt.downloads().resolve("extra-tool_0.5_all.deb"), "pool/contrib/e/extra-tool/extra-tool_0.5_all.deb");
        assertSameAsUpstream(apt.downloads().resolve("flat-pkg_1.0_all.deb"), "flat/flat-pkg_1.0_all.deb");
        assertSameAsUpstream(apt.downloads().resolve("hello-src_1.0.dsc"), "pool/main/h/hello-src/hello-src_1.0.dsc");

        awaitGenerations("deb/dists/bookworm", "deb/dists/trixie", "deb/flat");
        String status = new String(proxy.get("/").body(), StandardCharsets.UTF_8);
        assertTrue(status.contains("/dists/bookworm  active  generation"), status);

        int before = upstream.accessLog().size();
        AptClient second = apt("apt2");
        second.run("update");
        second.run("install", "--download-only", "-y", "hello-dep");
        second.run("download", "hello-bin", "flat-pkg");
        assertEquals(List.of(), upstream.accessLog().subList(before, upstream.accessLog().size()),
                "a second machine's update and downloads are served from the generations and the cache");
    }

    @Test
    void republishing_whileClientsUpdate_neverGivesAHashMismatch_andTheNewVersionArrives() throws Exception {
        startProxy("1s");
        AptClient apt = apt("apt");
        apt.run("update");
        AtomicReference<Throwable> publishError = new AtomicReference<>();
        Thread publisher = Thread.ofPlatform().start(() -> {
            try {
                for (int v = 2; v <= 7; v++) {
                    Commands.run(work, List.of("bash", script.toString(), "add", repo.toString(), "hello-local",
                            "1." + v), 120);
                    Thread.sleep(300);
                }
            } catch (Throwable e) {
                publishError.set(e);
            }
        });
        int updates = 0;
        while (publisher.isAlive()) {
            apt.run("update"); // fails on any W:/E: line, "Hash Sum mismatch" included
            updates++;
        }
        publisher.join();
        assertNull(publishError.get());
        assertTrue(updates >= 3, "only " + updates + " updates ran during the republishing");

        awaitGenerations("deb/dists/bookworm");
        apt.run("update");
        apt.run("download", "hello-local/bookworm");
        assertSameAsUpstream(apt.downloads().resolve("hello-local_1.7_all.deb"),
                "pool/main/h/hello-local/hello-local_1.7_all.deb");
    }

    /**
     * Issue 20: a client's first contact is enough to serve it again when the upstream goes away before the
     * first generation is built (the refresh runs 2 s after discovery; the upstream stops at once).
     */
    @Test
    void firstContact_thenUpstreamStoppedBeforeTheFirstRefresh_updateAndDownloadStillWork() throws Exception {
        startProxy("1h");
        AptClient first = apt("first");
        first.run("update");
        first.run("download", "hello-bin");
        upstream.stop();
        try {
            AptClient again = apt("again");
            again.run("update"); // no "502" for InRelease, no W:/E: line
            again.run("download", "hello-bin");
            assertSameAsUpstream(again.downloads().resolve("hello-bin_2.0_amd64.deb"), "pool/main/h/hello-bin/hello-bin_2.0_amd64.deb");
        } finally {
            upstream.start();
        }
    }

    @Test
    void upstreamStopped_updateAndDownloadsStillWork_theRootTurnsSuspect_andARestartKeepsServing() throws Exception {
        startProxy("1s");
        AptClient warm = apt("warm");
        warm.run("update");
        warm.run("install", "--download-only", "-y", "hello-dep");
        warm.run("download", "hello-bin", "flat-pkg");
        warm.run("source", "--download-only", "hello-src");
        awaitGenerations("deb/dists/bookworm", "deb/dists/trixie", "deb/flat");

        upstream.stop();
        AptClient offline = apt("offline");
        offline.run("update");
        offline.run("install", "--download-only", "-y", "hello-dep");
        offline.run("download", "hello-bin", "flat-pkg");
        offline.run("source", "--download-only", "hello-src");
        assertSameAsUpstream(offline.downloads().resolve("hello-bin_2.0_amd64.deb"), "pool/main/h/hello-bin/hello-bin_2.0_amd64.deb");

        String metrics = awaitText("/metrics", "cache_proxy_repository_roots{instance=\"deb\",state=\"suspect\"} 3.0");
        assertTrue(metrics.contains("cache_proxy_repository_refreshes_total{instance=\"deb\",outcome=\"failed\"}"), metrics);
        String status = awaitText("/", "/dists/bookworm  suspect  generation");
        assertTrue(status.contains("last error: "), status);

        proxy.close();
        startProxy("1h");
        AptClient afterRestart = apt("restart");
        afterRestart.run("update");
        afterRestart.run("download", "hello-bin", "hello-dep");
        assertSameAsUpstream(afterRestart.downloads().resolve("hello-dep_1.0_all.deb"), "pool/main/h/hello-dep/hello-dep_1.0_all.deb");
    }

    @Test
    void aPackageThatDoesNotMatchItsIndexHash_isRefused_andNeverStored() throws Exception {
        startProxy("1h");
        AptClient apt = apt("apt");
        apt.run("update");
        awaitGenerations("deb/dists/bookworm");
        Path deb = repo.resolve("pool/main/h/hello-bin/hello-bin_2.0_amd64.deb");
        byte[] good = Files.readAllBytes(deb);
        byte[] bad = good.clone();
        bad[bad.length - 10] ^= 1;
        Files.write(deb, bad);
        String path = "/deb/pool/main/h/hello-bin/hello-bin_2.0_amd64.deb";
        assertNotServedWhole(path, bad);
        assertNotServedWhole(path, bad);
        Commands.Result refused = apt.exec("download", "hello-bin");
        assertNotEquals(0, refused.exit(), refused.output());

        Files.write(deb, good);
        HttpResponse<byte[]> fixed = proxy.get(path);
        assertEquals("MISS", fixed.headers().firstValue("X-Cache").orElse(""), "the refused body was not stored");
        assertArrayEquals(good, fixed.body());
    }

    @Test
    void aLargeRepository_ofTheRealPackagesInAptsCache() throws Exception {
        long debs;
        try (Stream<Path> s = Files.list(Path.of("/var/cache/apt/archives"))) {
            debs = s.filter(p -> p.toString().endsWith(".deb")).count();
        }
        assertTrue(debs >= 100, "/var/cache/apt/archives holds " + debs + " .deb files; .ci/run leaves the packages it "
                + "installs there (do not run apt-get clean before the tests)");
        Commands.run(work, List.of("bash", script.toString(), "large", repo.toString()), 600);
        startProxy("1h");
        String u = "http://127.0.0.1:" + proxy.port() + "/deb";
        AptClient apt = new AptClient(work.resolve("large"),
                "deb [arch=amd64 signed-by=" + repo.resolve("key.gpg") + "] " + u + " large main\n");
        apt.run("update");
        // distinct names: apt's cache may hold two versions of one package, and `apt download` fetches one
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (String line : Files.readAllLines(repo.resolve("dists/large/main/binary-amd64/Packages"))) {
            if (line.startsWith("Package: ") && names.size() < 40) {
                names.add(line.substring("Package: ".length()) + "/large");
            }
        }
        List<String> args = new ArrayList<>(List.of("download"));
        args.addAll(names);
        apt.run(args.toArray(String[]::new));
        try (Stream<Path> s = Files.list(apt.downloads())) {
            assertTrue(s.count() >= names.size(), "every package was downloaded");
        }
        awaitGenerations("deb/dists/large");
        String status = new String(proxy.get("/").body(), StandardCharsets.UTF_8);
        assertTrue(status.matches("(?s).*/dists/large  active  generation \\S+ published \\S+ from \\S+, \\d{4} packages.*"),
                status);
        AptClient again = new AptClient(work.resolve("large2"),
                "deb [arch=amd64 signed-by=" + repo.resolve("key.gpg") + "] " + u + " large main\n");
        again.run("update");
        again.run(args.toArray(String[]::new));
    }

    /** Waits until each root serves its InRelease from a generation that matches the upstream's. */
    private void awaitGenerations(String... roots) throws Exception {
        for (String root : roots) {
            String file = root.endsWith("flat") ? "Release" : "InRelease";
            Path upstreamFile = work.resolve("up").resolve(root).resolve(file);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (true) {
                HttpResponse<byte[]> r = proxy.get("/deb/" + root.substring("deb/".length()) + "/" + file);
                if (r.statusCode() == 200 && r.headers().firstValue("X-Cache").orElse("").equals("HIT")
                        && java.util.Arrays.equals(r.body(), Files.readAllBytes(upstreamFile))) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "no current generation of " + root);
                Thread.sleep(100);
            }
        }
    }

    private String awaitText(String path, String wanted) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            String text = new String(proxy.get(path).body(), StandardCharsets.UTF_8);
            if (text.contains(wanted)) {
                return text;
            }
            assertTrue(System.nanoTime() < deadline, "never saw " + wanted + " in " + path + ":\n" + text);
            Thread.sleep(200);
        }
    }

    private void assertSameAsUpstream(Path downloaded, String upstreamPath) throws IOException {
        assertTrue(Files.exists(downloaded), downloaded + " was not downloaded");
        assertArrayEquals(Files.readAllBytes(repo.resolve(upstreamPath)), Files.readAllBytes(downloaded), upstreamPath);
    }

    private void assertNotServedWhole(String path, byte[] bad) throws InterruptedException {
        try {
            HttpResponse<byte[]> r = proxy.get(path);
            assertTrue(r.statusCode() != 200 || !java.util.Arrays.equals(bad, r.body()), "the tampered body was served whole");
        } catch (IOException cut) {
            // the body was cut before its end: what a digest mismatch must look like to a client
        }
    }
}
