package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real Nix (2.8, Debian's nix-bin; every command in a chroot store under the test's directory, no
 * daemon: reference/hosted-caches.md §1) against two {@code nix} instances: {@code /nix/cache}, a pull-through
 * of a local upstream binary cache ({@code nix copy --to file://} served by nginx, signed with a throw-away
 * key), and {@code /nix/push}, which writers fill with {@code nix copy --to http://...} and which signs what it
 * serves with its own key. Each "machine" is a fresh store and a fresh narinfo cache ({@code XDG_CACHE_HOME}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NixIT {
    static final String WRITE_TOKEN = "nix-writer-token";

    private Path work;
    private NginxUpstream upstream;
    private TestProxy proxy;
    private String upstreamKey;
    private String proxyKey;
    private String top;
    private String tampered;
    private String rogue;
    private int machines;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("nix-it");
        Files.createDirectories(work.resolve("home"));
        // machine A builds three closures with /bin/sh (no nixpkgs): the one served, one whose NAR the upstream
        // will serve damaged, one signed by a key nobody trusts
        Files.writeString(work.resolve("paths.nix"), """
                let
                  mk = name: text: builtins.derivation { inherit name; system = builtins.currentSystem;
                    builder = "/bin/sh"; args = [ "-c" "echo ${text} > $out" ]; };
                  dep = mk "cp-dep" "dependency-data";
                in {
                  top = builtins.derivation { name = "cp-top"; system = builtins.currentSystem; builder = "/bin/sh";
                    args = [ "-c" "echo top uses ${dep} > $out" ]; };
                  tampered = mk "cp-tampered" "to-be-damaged";
                  rogue = mk "cp-rogue" "signed-by-a-stranger";
                }
                """);
        top = nix("A", List.of("nix-build", "--store", store("A"), "paths.nix", "-A", "top", "--no-out-link")).strip();
        tampered = nix("A", List.of("nix-build", "--store", store("A"), "paths.nix", "-A", "tampered", "--no-out-link")).strip();
        rogue = nix("A", List.of("nix-build", "--store", store("A"), "paths.nix", "-A", "rogue", "--no-out-link")).strip();
        upstreamKey = keyPair("upstream-1");
        proxyKey = keyPair("cache-proxy-1");
        keyPair("stranger-1");
        Path up = work.resolve("up");
        nix("A", List.of("nix", "copy", "--store", store("A"), "--to", "file://" + up + "?secret-key=" + work.resolve("upstream-1.sk")
                + "&compression=xz", top, tampered));
        nix("A", List.of("nix", "copy", "--store", store("A"), "--to", "file://" + up + "?secret-key=" + work.resolve("stranger-1.sk"),
                rogue));
        Files.writeString(up.resolve("nix-cache-info"), "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n");
        // the upstream serves a damaged NAR for `tampered` under its right name
        Path nar = up.resolve(narinfoField(up.resolve(hashPart(tampered) + ".narinfo"), "URL"));
        byte[] bytes = Files.readAllBytes(nar);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(nar, bytes);

        upstream = new NginxUpstream(work.resolve("nginx"), up, "");
        upstream.start();
        Files.writeString(work.resolve("netrc"), "machine 127.0.0.1\npassword " + WRITE_TOKEN + "\n");
        // expiry cleanup (and so GC by roots) every second
        proxy = TestProxy.start(work.resolve("store"), "storage:\n  cleanup: { interval: 1s }\n", """
                  - name: nixcache
                    enabled: true
                    nix:
                      route: { path: /nix/cache }
                      upstreams: ["${UPSTREAM}"]
                      trusted_public_keys: ["%s"]
                  - name: nixpush
                    enabled: true
                    access:
                      anonymous: read
                      principals:
                        - { name: builder, scope: write, token: "%s" }
                    nix:
                      route: { path: /nix/push }
                      secret_key_file: %s
                  - name: nixshort
                    enabled: true
                    nix:
                      route: { path: /nix/short }
                      upstreams: ["${UPSTREAM}"]
                      trusted_public_keys: ["%s"]
                      narinfo_fresh_for: 1s
                  - name: nixroots
                    enabled: true
                    access:
                      principals:
                        - { name: builder, scope: write, token: "%s" }
                    nix:
                      route: { path: /nix/roots }
                      gcroots_grace: 5s
                """.formatted(upstreamKey, WRITE_TOKEN, work.resolve("cache-proxy-1.sk"), upstreamKey, WRITE_TOKEN), upstream.url(""));
    }

    @AfterAll
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        Commands.deleteTree(work);
    }

    private String base(String mount) {
        return "http://127.0.0.1:" + proxy.port() + mount;
    }

    @Test
    @Order(1)
    void pullThrough_cold_thenWarm_fromTheProxyAlone() throws Exception {
        Commands.Result cold = substitute(base("/nix/cache"), upstreamKey, top);
        assertEquals(0, cold.exit(), cold.output());
        List<String> firstPass = upstream.accessLog();
        assertTrue(firstPass.stream().anyMatch(l -> l.startsWith("GET /" + hashPart(top) + ".narinfo 200")), firstPass.toString());
        assertTrue(firstPass.stream().filter(l -> l.startsWith("GET /nar/")).count() >= 2, "both NARs fetched: " + firstPass);
        assertFalse(firstPass.stream().anyMatch(l -> l.contains("nix-cache-info")), "ours is answered, never fetched");

        assertEquals(0, substitute(base("/nix/short"), upstreamKey, top).exit(), "filled through the short-lived instance too");
        int before = upstream.accessLog().size();
        Commands.Result warm = substitute(base("/nix/cache"), upstreamKey, top);
        assertEquals(0, warm.exit(), warm.output());
        assertEquals(before, upstream.accessLog().size(), "a third machine is served from the proxy alone");
    }

    @Test
    @Order(2)
    void aDamagedNar_isRefusedAndNotStored() throws Exception {
        Commands.Result r = substitute(base("/nix/cache"), upstreamKey, tampered);
        assertNotEquals(0, r.exit(), r.output());
        String narPath = narinfoField(work.resolve("up").resolve(hashPart(tampered) + ".narinfo"), "URL");
        assertFalse(entries("nixcache").contains(narPath), "not stored: " + entries("nixcache"));
        try {
            assertNotEquals(200, proxy.get("/nix/cache/" + narPath).statusCode(), "never served whole");
        } catch (IOException cut) {
            // cut before its end: a client never takes it for the whole file
        }
    }

    @Test
    @Order(3)
    void storageFull_aFreshMachineIsStillServedVerified_andTheRogueNarinfoStillRefused() throws Exception {
        try (TestProxy full = TestProxy.start(work.resolve("store-full"), TestProxy.STORAGE_FULL, """
                  - name: nixfull
                    enabled: true
                    nix:
                      route: { path: /nix/full }
                      upstreams: ["${UPSTREAM}"]
                      trusted_public_keys: ["%s"]
                """.formatted(upstreamKey), upstream.url(""))) {
            String substituter = "http://127.0.0.1:" + full.port() + "/nix/full";
            Commands.Result r = substitute(substituter, upstreamKey, top);
            assertEquals(0, r.exit(), r.output());
            assertNotEquals(0, substitute(substituter, upstreamKey, rogue).exit());
            HttpResponse<byte[]> info = full.get("/nix/full/" + hashPart(rogue) + ".narinfo");
            assertEquals(404, info.statusCode(), new String(info.body(), StandardCharsets.UTF_8));
            assertEquals(List.of(), TestProxy.storedBlobs(work.resolve("store-full")), "nothing stored");
        }
    }

    @Test
    @Order(3)
    void aNarinfoSignedByAnUntrustedKey_isNotInThisCache() throws Exception {
        Commands.Result r = substitute(base("/nix/cache"), upstreamKey, rogue);
        assertNotEquals(0, r.exit(), r.output());
        HttpResponse<byte[]> info = proxy.get("/nix/cache/" + hashPart(rogue) + ".narinfo");
        assertEquals(404, info.statusCode(), "Nix falls through on a 404, a 5xx would fail its build");
        String body = new String(info.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains("not signed by a trusted key") && body.contains("stranger-1"), body);
        assertFalse(entries("nixcache").contains(hashPart(rogue)), entries("nixcache"));
    }

    @Test
    @Order(4)
    void push_withTheWriteToken_thenAnotherMachineTrustsOnlyTheProxysKey() throws Exception {
        Commands.Result refused = nixExec("A", List.of("nix", "copy", "--store", store("A"), "--to", base("/nix/push"), top), false);
        assertNotEquals(0, refused.exit(), "no token, no push: " + refused.output());
        assertTrue(refused.output().contains("401") && refused.output().contains("writing needs credentials"),
                "Nix prints the status and our body: " + refused.output());
        assertFalse(entries("nixpush").contains(".narinfo"), entries("nixpush"));

        Commands.Result pushed = nixExec("A", List.of("nix", "copy", "--store", store("A"), "--to", base("/nix/push"), top), true);
        assertEquals(0, pushed.exit(), pushed.output());
        String info = new String(proxy.get("/nix/push/" + hashPart(top) + ".narinfo").body(), StandardCharsets.UTF_8);
        assertTrue(info.contains("Sig: cache-proxy-1:"), "signed by the cache on the way in: " + info);

        Commands.Result b = substitute(base("/nix/push"), proxyKey, top);
        assertEquals(0, b.exit(), b.output());
        assertTrue(Files.readString(Path.of(store("B" + machines) + top)).startsWith("top uses /nix/store/"));
    }

    @Test
    @Order(5)
    void aPushedNarinfoWhoseNarWasEvicted_isNoLongerServed() throws Exception {
        // the NARs pushed above are taken away, as the storage quota evicts entries one by one
        assertTrue(entries("nixpush").contains("\"key\" : \"nar/"), entries("nixpush"));
        HttpResponse<String> purged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + proxy.port() + "/-/entries/nixpush?prefix=nar/")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, purged.statusCode(), purged.body());
        HttpResponse<byte[]> info = proxy.get("/nix/push/" + hashPart(top) + ".narinfo");
        assertEquals(404, info.statusCode(), "a narinfo without its NAR would fail the build; a 404 falls through");
        assertFalse(entries("nixpush").contains(hashPart(top) + ".narinfo"), "and the record is gone: " + entries("nixpush"));
    }

    @Test
    @Order(6)
    void pushRefusals_are4xx_andStoreNothing() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String auth = "Bearer " + WRITE_TOKEN;
        // a narinfo whose NAR was never pushed
        String narinfo = Files.readString(work.resolve("up").resolve(hashPart(tampered) + ".narinfo"));
        HttpResponse<String> orphan = http.send(HttpRequest.newBuilder(URI.create(base("/nix/push/" + hashPart(tampered) + ".narinfo")))
                .header("Authorization", auth).PUT(HttpRequest.BodyPublishers.ofString(narinfo)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, orphan.statusCode(), orphan.body());
        assertTrue(orphan.body().contains("upload the NAR first"), orphan.body());
        // a NAR whose body is not the hash its name says
        String narName = narinfoField(work.resolve("up").resolve(hashPart(top) + ".narinfo"), "URL");
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(base("/nix/push/" + narName)))
                .header("Authorization", auth).PUT(HttpRequest.BodyPublishers.ofString("not this")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, wrong.statusCode(), wrong.body());
        // a narinfo for another path than its name
        HttpResponse<String> misnamed = http.send(HttpRequest.newBuilder(URI.create(base("/nix/push/" + hashPart(rogue) + ".narinfo")))
                .header("Authorization", auth).PUT(HttpRequest.BodyPublishers.ofString(narinfo)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, misnamed.statusCode(), misnamed.body());
        assertFalse(entries("nixpush").contains(hashPart(tampered)) || entries("nixpush").contains(hashPart(rogue)),
                entries("nixpush"));
    }

    @Test
    @Order(7)
    void upstreamStopped_aFreshMachineIsStillServed() throws Exception {
        upstream.stop();
        Commands.Result r = substitute(base("/nix/cache"), upstreamKey, top);
        assertEquals(0, r.exit(), r.output());
        Thread.sleep(1100); // past /nix/short's narinfo_fresh_for: the upstream is asked, fails, the stored copy answers
        Commands.Result stale = substitute(base("/nix/short"), upstreamKey, top);
        assertEquals(0, stale.exit(), stale.output());
        HttpResponse<byte[]> narinfo = proxy.get("/nix/short/" + hashPart(top) + ".narinfo");
        assertEquals(200, narinfo.statusCode());
        assertEquals("STALE", narinfo.headers().firstValue("X-Cache").orElse(""), "served stale, never a 5xx");
        HttpResponse<byte[]> info = proxy.get("/nix/cache/nix-cache-info");
        assertEquals(200, info.statusCode());
        assertTrue(new String(info.body(), StandardCharsets.UTF_8).contains("Priority: 40"));
    }

    @Test
    @Order(8)
    void gcRoots_keepTheRootedClosure_theRestIsCollected() throws Exception {
        for (String path : List.of(top, tampered)) {
            // signed by the writer (this instance has no key of its own)
            Commands.Result pushed = nixExec("A", List.of("nix", "copy", "--store", store("A"), "--to",
                    base("/nix/roots") + "?secret-key=" + work.resolve("upstream-1.sk"), path), true);
            assertEquals(0, pushed.exit(), pushed.output());
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder root = HttpRequest.newBuilder(URI.create(base("/nix/roots/gcroots/job-1")))
                .header("Authorization", "Bearer " + WRITE_TOKEN);
        assertEquals(400, http.send(root.PUT(HttpRequest.BodyPublishers.ofString("not a store path\n")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(200, http.send(root.PUT(HttpRequest.BodyPublishers.ofString(top + "\n")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(base("/nix/roots/gcroots/job-1"))).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "only writers delete roots");

        awaitStatus("/nix/roots/" + hashPart(tampered) + ".narinfo", 404); // past the grace period, unrooted
        Commands.Result kept = substitute(base("/nix/roots"), upstreamKey, top);
        assertEquals(0, kept.exit(), "the rooted path and its reference are whole: " + kept.output());

        assertEquals(200, http.send(root.DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        awaitStatus("/nix/roots/" + hashPart(top) + ".narinfo", 404);
        assertFalse(entries("nixroots").contains("nar/"), "no NAR is left without its narinfo: " + entries("nixroots"));
    }

    @Test
    @Order(9)
    void overTls_writersAreTheirCertificates_andNixSubstitutesOverHttps() throws Exception {
        TestCa ca = TestCa.create(work.resolve("ca"), "nix test CA");
        TestCa.Issued server = ca.server("localhost", "DNS:localhost,IP:127.0.0.1");
        TestCa.Issued builder = ca.client("builder-01");
        TestCa.Issued reader = ca.client("reader-01");
        try (TestProxy tls = TestProxy.start(work.resolve("store-tls"), TestCa.tlsYaml(server, ca.certificate())
                + "    client_auth: optional\n", """
                  - name: nixtls
                    enabled: true
                    access:
                      anonymous: read
                      principals:
                        - { name: builder, tls_subject: "CN=builder-01", scope: write }
                        - { name: reader, tls_subject: "CN=reader-01", scope: read }
                    nix:
                      route: { path: /nix/tls }
                """, "http://127.0.0.1:9")) {
            String base = "https://127.0.0.1:" + tls.port() + "/nix/tls/";
            // dep: one path without references, as the upstream holds it (signed by upstream-1)
            String depHash = narinfoField(work.resolve("up").resolve(hashPart(top) + ".narinfo"), "References").substring(0, 32);
            Path narinfo = work.resolve("up").resolve(depHash + ".narinfo");
            String nar = narinfoField(narinfo, "URL");
            List<String> asReader = List.of("--cert", reader.certificate().toString(), "--key", reader.key().toString());
            List<String> asBuilder = List.of("--cert", builder.certificate().toString(), "--key", builder.key().toString());
            assertEquals("200", curlStatus(ca, List.of(base + "nix-cache-info")), "anyone reads");
            assertEquals("401", curlStatus(ca, List.of("-T", work.resolve("up").resolve(nar).toString(), base + nar)),
                    "no certificate: anonymous, who may not write");
            List<String> readerPut = new ArrayList<>(asReader);
            readerPut.addAll(List.of("-T", work.resolve("up").resolve(nar).toString(), base + nar));
            assertEquals("403", curlStatus(ca, readerPut), "a reader's certificate may not write");
            for (Path file : List.of(work.resolve("up").resolve(nar), narinfo)) {
                List<String> put = new ArrayList<>(asBuilder);
                put.addAll(List.of("-T", file.toString(), base + (file.equals(narinfo) ? depHash + ".narinfo" : nar)));
                assertEquals("200", curlStatus(ca, put), "the builder's certificate writes " + file.getFileName());
            }
            // Nix 2.8 has no client certificate setting: it reads anonymously, over HTTPS with the CA
            machines++;
            String depPath = "/nix/store/" + narinfoField(narinfo, "StorePath").substring("/nix/store/".length());
            ProcessBuilder pb = new ProcessBuilder(List.of("nix-store", "--store", store("T" + machines), "--realise", depPath,
                    "--option", "substituters", base.substring(0, base.length() - 1), "--option", "trusted-public-keys", upstreamKey))
                    .directory(work.toFile()).redirectErrorStream(true);
            pb.environment().put("HOME", work.resolve("home").toString());
            pb.environment().put("XDG_CACHE_HOME", work.resolve("xdg-T" + machines).toString());
            pb.environment().put("NIX_CONFIG", "experimental-features = nix-command\nbuild-users-group = ");
            pb.environment().put("NIX_SSL_CERT_FILE", ca.certificate().toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
        }
    }

    private String curlStatus(TestCa ca, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "--cacert", ca.certificate().toString(),
                "-o", "/dev/null", "-w", "%{http_code}"));
        cmd.addAll(args);
        return Commands.exec(work, cmd, 60).output().strip();
    }

    private void awaitStatus(String path, int status) throws Exception {
        for (int i = 0; i < 300 && proxy.get(path).statusCode() != status; i++) {
            Thread.sleep(100);
        }
        assertEquals(status, proxy.get(path).statusCode(), path);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** Realises {@code path} into a fresh store ("machine B<n>") from {@code substituter} only. */
    private Commands.Result substitute(String substituter, String trustedKey, String path) throws Exception {
        machines++;
        return nixExec("B" + machines, List.of("nix-store", "--store", store("B" + machines), "--realise", path,
                "--option", "substituters", substituter, "--option", "trusted-public-keys", trustedKey), false);
    }

    private String store(String machine) {
        return work.resolve("stores").resolve(machine).toString();
    }

    private String keyPair(String name) throws Exception {
        nix("A", List.of("nix-store", "--generate-binary-cache-key", name, work.resolve(name + ".sk").toString(),
                work.resolve(name + ".pk").toString()));
        return Files.readString(work.resolve(name + ".pk")).strip();
    }

    private String nix(String machine, List<String> cmd) throws Exception {
        Commands.Result r = nixExec(machine, cmd, false);
        assertEquals(0, r.exit(), String.join(" ", cmd) + "\n" + r.output());
        return r.output();
    }

    /** Runs a Nix command as {@code machine} (its own narinfo cache); with {@code netrc}, the write token is sent. */
    private Commands.Result nixExec(String machine, List<String> cmd, boolean netrc) throws IOException, InterruptedException {
        List<String> config = new ArrayList<>(List.of("experimental-features = nix-command", "sandbox = false",
                "build-users-group = ", "sandbox-paths = /bin /usr /lib /lib64", "connect-timeout = 5"));
        if (netrc) {
            config.add("netrc-file = " + work.resolve("netrc"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(false);
        Map<String, String> env = pb.environment();
        env.put("HOME", work.resolve("home").toString());
        env.put("XDG_CACHE_HOME", work.resolve("xdg-" + machine).toString());
        env.put("NIX_CONFIG", String.join("\n", config));
        Path err = Files.createTempFile(work, "nix", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
        // lenient: nix may quote the bytes of a damaged NAR in its error, which are not always UTF-8
        String stderr = new String(Files.readAllBytes(err), StandardCharsets.UTF_8);
        Files.delete(err);
        return new Commands.Result(p.exitValue(), p.exitValue() == 0 && cmd.get(0).equals("nix-build") ? out : out + stderr);
    }

    private static String hashPart(String storePath) {
        return storePath.substring("/nix/store/".length(), "/nix/store/".length() + 32);
    }

    private static String narinfoField(Path narinfo, String field) throws IOException {
        return Files.readAllLines(narinfo).stream().filter(l -> l.startsWith(field + ": ")).findFirst().orElseThrow()
                .substring(field.length() + 2);
    }

    private String entries(String instance) throws Exception {
        return new String(proxy.get("/-/entries/" + instance + "?limit=1000").body(), StandardCharsets.UTF_8);
    }
}
