package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nginx mirrors of one Debian archive in front of a deb instance: the first is stopped mid-run, apt
 * keeps working through the second, the first's circuit opens (shown on the home page), and once it is
 * back a canary request re-admits it within canary_cooldown (10 s here) and it is used again.
 */
class MirrorFailoverIT {
    private Path work;
    private Path repo;
    private NginxUpstream first;
    private NginxUpstream second;
    private TestProxy proxy;

    @BeforeEach
    void start() throws Exception {
        work = Files.createTempDirectory("mirrors-it");
        repo = work.resolve("up/deb");
        Commands.run(work, List.of("bash", Path.of(MirrorFailoverIT.class.getResource("/deb/make-repository.sh").toURI())
                .toString(), "init", repo.toString()), 120);
        first = new NginxUpstream(work.resolve("nginx1"), work.resolve("up"), "");
        second = new NginxUpstream(work.resolve("nginx2"), work.resolve("up"), "");
        first.start();
        second.start();
        proxy = TestProxy.start(work.resolve("backend"), "", """
                  - name: deb
                    enabled: true
                    deb:
                      route: { path: /deb }
                      upstreams: ["${UPSTREAM}", "%s"]
                      refresh_interval: 1h
                      transport:
                        health: { canary_cooldown: 10s }
                """.formatted(second.url("/deb")), first.url("/deb"));
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        first.close();
        second.close();
        Commands.deleteTree(work);
    }

    @Test
    void aStoppedMirrorIsSteppedAround_shownOpen_andUsedAgainOnceItIsBack() throws Exception {
        apt("apt1").run("update");
        assertTrue(first.accessLog().size() > 0, "the first mirror is asked first while both are healthy");
        long published = System.nanoTime() + 20_000_000_000L;
        while (!homePage().contains("active  generation")) {
            assertTrue(System.nanoTime() < published, "no generation: " + homePage());
            Thread.sleep(100);
        }

        first.stop();
        java.net.http.HttpResponse<byte[]> rescued = proxy.get("/deb/pool/main/h/hello-bin/hello-bin_2.0_arm64.deb");
        assertTrue(rescued.statusCode() == 200 && rescued.headers().firstValue("X-Cache").orElse("").equals("RESCUE"),
                "a package of the first mirror's generation, served by the second while the first is down: "
                        + rescued.statusCode() + " " + rescued.headers().firstValue("X-Cache"));
        AptClient apt = apt("apt2");
        apt.run("update");
        apt.run("install", "--download-only", "-y", "hello-dep");
        apt.run("download", "hello-bin", "extra-tool");
        for (int i = 0; i < 12; i++) { // requests the cache cannot answer, each asking the first mirror in vain
            proxy.get("/deb/pool/main/n/nothing/nothing_" + i + "_all.deb");
        }
        String url1 = "http://127.0.0.1:" + first.port();
        String home = homePage();
        assertTrue(home.contains(url1) && home.lines().anyMatch(l -> l.contains(url1) && l.contains(" open ")), home);

        first.start();
        long deadline = System.nanoTime() + 40_000_000_000L;
        int i = 0;
        while (!homePage().lines().anyMatch(l -> l.contains(url1) && l.contains(" closed "))) {
            assertTrue(System.nanoTime() < deadline, "the first mirror was not re-admitted: " + homePage());
            proxy.get("/deb/pool/main/n/nothing/again_" + i++ + "_all.deb");
            Thread.sleep(200);
        }
        int before = first.accessLog().size();
        proxy.get("/deb/pool/main/n/nothing/last_all.deb");
        assertTrue(first.accessLog().size() > before, "the recovered first mirror is asked first again");
    }

    private String homePage() throws IOException, InterruptedException {
        return new String(proxy.get("/").body(), StandardCharsets.UTF_8);
    }

    private AptClient apt(String name) throws IOException {
        String u = "http://127.0.0.1:" + proxy.port() + "/deb";
        return new AptClient(work.resolve(name), "deb [signed-by=%s] %s bookworm main contrib\n"
                .formatted(repo.resolve("key.gpg"), u));
    }
}
