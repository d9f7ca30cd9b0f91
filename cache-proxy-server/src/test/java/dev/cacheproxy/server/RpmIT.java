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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The rpm mode proven by the real dnf and zypper: a repository built with rpmbuild and createrepo_c,
 * its repomd.xml signed (test resource {@code rpm/make-repo.sh}), served by a real nginx.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RpmIT {
    private Path work;
    private Path repo;
    private Path script;
    private NginxUpstream upstream;
    private TestProxy proxy;
    private LinuxRepoFixture fixture;

    @BeforeAll
    void start() throws Exception {
        script = Path.of(RpmIT.class.getResource("/rpm/make-repo.sh").toURI());
        fixture = LinuxRepoFixture.start("rpm", "bash", script, 300);
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
    void makecache_repoquery_download_install_withRepoGpgcheck_thenWithTheUpstreamStopped() throws Exception {
        Path d = dnfDir("main");
        dnf(d, "makecache");
        String query = dnf(d, "repoquery", "--available");
        assertTrue(query.contains("hello-dep-0:1.0-1.noarch") && query.contains("hello-bin-0:2.0-1.x86_64"), query);
        dnf(d, "install", "--downloadonly", "--downloaddir=" + d.resolve("dl"), "hello-dep", "hello-bin");
        try (Stream<Path> dl = Files.list(d.resolve("dl"))) {
            assertTrue(dl.anyMatch(p -> p.getFileName().toString().startsWith("hello-local-1.")), "the dependency came along");
        }
        assertSameAsUpstream(d.resolve("dl/hello-bin-2.0-1.x86_64.rpm"), "Packages/hello-bin-2.0-1.x86_64.rpm");
        dnf(d, "install", "hello-dep");
        assertTrue(Files.readString(d.resolve("root/usr/share/hello-local/README")).startsWith("hello-local 1."));
        List<String> log = upstream.accessLog();
        assertTrue(log.stream().anyMatch(l -> l.startsWith("GET /rpm/repodata/repomd.xml.asc 200")), log.toString());

        LinuxRepoChecks.assertRootPublished(proxy, "rpm", "/rpm");
        assertTrue(MetricsPromtoolIT.assertPromtoolClean(proxy, work).contains("cache_proxy_repository_roots"));

        upstream.stop();
        try {
            Path offline = dnfDir("offline");
            dnf(offline, "makecache");
            dnf(offline, "install", "--downloadonly", "--downloaddir=" + offline.resolve("dl"), "hello-dep");
            assertSameAsUpstream(offline.resolve("dl/hello-dep-1.0-1.noarch.rpm"), "Packages/hello-dep-1.0-1.noarch.rpm");
        } finally {
            upstream.start();
        }
    }

    @Test
    void republishing_whileDnfRefreshes_neverGivesAChecksumOrOlderMetadataError() throws Exception {
        Path d = dnfDir("republish");
        dnf(d, "makecache");
        // from the first generation on (before it, the first-contact repomd.xml's data files are fetched by
        // name, and a republish racing that fetch can delete one: a known window of a few seconds)
        awaitGeneration();
        // dnf fails on any error, "Checksum doesn't match" and older repomd included
        LinuxRepoChecks.republishWhile(work, List.of("bash", script.toString(), "republish", repo.toString()), 3,
                () -> dnf(d, "makecache"));
        for (int i = 0; i < 30; i++) {
            if (dnf(d, "--refresh", "repoquery", "--available", "hello-local").contains("hello-local-0:1.4-1")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the republished hello-local 1.4 never arrived");
    }

    @Test
    void tamperedPackage_isRefused_notStored_andDnfFails() throws Exception {
        Path published = repo.resolve("Packages/tampered-1.0-1.noarch.rpm");
        Path d = dnfDir("tampered");
        dnf(d, "makecache");
        awaitGeneration(); // the primary that lists the package's checksum is known to the proxy
        Files.copy(repo.resolve("tampered.evil"), published, StandardCopyOption.REPLACE_EXISTING);
        try {
            Commands.Result r = Commands.exec(d, dnfCommand(d, "install", "--downloadonly",
                    "--downloaddir=" + d.resolve("dl"), "tampered"), 300);
            assertNotEquals(0, r.exit(), "dnf must not succeed with the tampered package: " + r.output());
            try {
                HttpResponse<byte[]> direct = proxy.get("/rpm/rpm/Packages/tampered-1.0-1.noarch.rpm");
                assertFalse(direct.statusCode() == 200 && Arrays.equals(direct.body(), Files.readAllBytes(published)),
                        "the tampered package was served whole");
            } catch (IOException cut) {
                // expected: cut when the checksum did not match
            }
        } finally {
            Files.copy(repo.resolve("tampered.good"), published, StandardCopyOption.REPLACE_EXISTING);
        }
        HttpResponse<byte[]> good = proxy.get("/rpm/rpm/Packages/tampered-1.0-1.noarch.rpm");
        assertEquals(200, good.statusCode());
        assertNotEquals("HIT", good.headers().firstValue("X-Cache").orElse(""), "nothing had been stored");
    }

    @Test
    void zypper_refreshesAndDownloads() throws Exception {
        Path z = Files.createDirectories(work.resolve("zypper"));
        List<String> zy = List.of("zypper", "--non-interactive", "--root", z.toString());
        Commands.run(work, concat(zy, "ar", "-G", "-f", "http://127.0.0.1:" + proxy.port() + "/rpm/rpm", "local"), 120);
        Commands.run(work, concat(zy, "ref"), 300);
        Commands.run(work, concat(zy, "download", "hello-bin"), 300);
        try (Stream<Path> s = Files.walk(z.resolve("var/cache/zypp/packages"))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().equals("hello-bin-2.0-1.x86_64.rpm")));
        }
    }

    /** Until the proxy serves the upstream's current repomd.xml from a published generation. */
    private void awaitGeneration() throws Exception {
        LinuxRepoChecks.awaitGeneration(proxy, "/rpm/rpm/repodata/repomd.xml", repo.resolve("repodata/repomd.xml"));
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> out = new ArrayList<>(head);
        out.addAll(Arrays.asList(tail));
        return out;
    }

    /** A private dnf configuration, cache and install root, with the proxy as its only repository. */
    private Path dnfDir(String name) throws IOException {
        Path d = Files.createDirectories(work.resolve("dnf-" + name));
        for (String sub : List.of("repos", "root", "cache", "dl", "persist")) {
            Files.createDirectories(d.resolve(sub));
        }
        Files.writeString(d.resolve("dnf.conf"), "[main]\nreposdir=%1$s/repos\ncachedir=%1$s/cache\nlogdir=%1$s\npersistdir=%1$s/persist\ngpgcheck=0\ninstall_weak_deps=0\nkeepcache=1\n"
                .formatted(d));
        Files.writeString(d.resolve("repos/local.repo"), "[local]\nname=local\nbaseurl=http://127.0.0.1:%d/rpm/rpm\nenabled=1\n"
                .formatted(proxy.port()) + "gpgcheck=0\nrepo_gpgcheck=1\ngpgkey=file://" + repo.resolve("RPM-GPG-KEY-local")
                + "\nmetadata_expire=0\nskip_if_unavailable=0\n");
        return d;
    }

    private String dnf(Path d, String... args) throws Exception {
        return Commands.run(d, dnfCommand(d, args), 300);
    }

    private static List<String> dnfCommand(Path d, String... args) {
        List<String> cmd = new ArrayList<>(List.of("dnf", "-y", "-c", d.resolve("dnf.conf").toString(),
                "--installroot=" + d.resolve("root"), "--releasever=1", "--setopt=reposdir=" + d.resolve("repos"),
                "--setopt=cachedir=" + d.resolve("cache"), "--noplugins"));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    private void assertSameAsUpstream(Path downloaded, String upstreamPath) throws IOException {
        assertTrue(Arrays.equals(Files.readAllBytes(repo.resolve(upstreamPath)), Files.readAllBytes(downloaded)),
                downloaded + " differs from the upstream's " + upstreamPath);
    }

}
