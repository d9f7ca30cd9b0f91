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
 * The cargo mode proven by the real cargo: sparse registries built with {@code cargo package} (test
 * resource {@code cargo/make-registry.sh}), one per {@code dl} template form, served by a real nginx,
 * cache-proxy replacing crates.io as cargo's source.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CargoIT {
    private Path work;
    private Path tree;
    private NginxUpstream upstream;
    private TestProxy proxy;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("cargo-it");
        tree = work.resolve("up");
        upstream = new NginxUpstream(work.resolve("nginx"), tree, "");
        Path script = Path.of(CargoIT.class.getResource("/cargo/make-registry.sh").toURI());
        Commands.run(work, List.of("bash", script.toString(), tree.toString(), upstream.url("")), 300);
        upstream.start();
        StringBuilder instances = new StringBuilder();
        for (String form : List.of("", "-bare", "-prefix", "-sum")) {
            instances.append("""
                      - name: cargo%1$s
                        enabled: true
                        cargo: { route: { path: /cargo%1$s }, upstream: "${UPSTREAM}/index%1$s/" }
                    """.formatted(form));
        }
        proxy = TestProxy.start(work.resolve("backend"), "", instances.toString(), upstream.url(""));
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

    @Test
    void fetch_buildOffline_update_withRevalidation_thenWithTheUpstreamStopped() throws Exception {
        Path project = project("main", "hello-dep = \"0.1\"\nabc = \"1\"\n");
        Path home = cargoHome("home-1", "/cargo");
        cargo(project, home, "generate-lockfile");
        String lock = Files.readString(project.resolve("Cargo.lock"));
        assertTrue(lock.contains("name = \"hello-local\"\nversion = \"0.2.0\""), lock);
        cargo(project, home, "fetch");
        String run = cargo(project, home, "run", "--offline", "-q");
        assertTrue(run.contains("hello-dep 0.1.0 + hello-local 0.2.0 / abc 1.0.0"), run);
        List<String> log = upstream.accessLog();
        assertTrue(log.stream().anyMatch(l -> l.startsWith("GET /crates/hello-dep/hello-dep-0.1.0.crate 200")), log.toString());
        assertFalse(log.stream().anyMatch(l -> l.startsWith("GET /index/config.json") && !l.contains(" 200 ")
                && !l.contains(" 304 ")), log.toString());

        int before = upstream.accessLog().size();
        cargo(project, home, "update");
        List<String> update = upstream.accessLog().subList(before, upstream.accessLog().size());
        assertTrue(update.stream().anyMatch(l -> l.startsWith("GET /index/he/ll/hello-dep 304")),
                "cargo update revalidated the index with conditional requests: " + update);
        assertFalse(update.stream().anyMatch(l -> l.startsWith("GET /index/he/ll/hello-dep 200")), update.toString());

        upstream.stop();
        try {
            Path offline = cargoHome("home-offline", "/cargo");
            cargo(project, offline, "fetch");
            String again = cargo(project, offline, "run", "--offline", "-q");
            assertTrue(again.contains("hello-dep 0.1.0 + hello-local 0.2.0 / abc 1.0.0"), again);
        } finally {
            upstream.start();
        }
    }

    @Test
    void everyDlTemplateForm_downloadsThroughTheProxy() throws Exception {
        for (String form : List.of("-bare", "-prefix", "-sum")) {
            Path project = project("form" + form, "hello-dep = \"0.1\"\n");
            cargo(project, cargoHome("home" + form, "/cargo" + form), "fetch");
            HttpResponse<byte[]> config = proxy.get("/cargo" + form + "/config.json");
            assertEquals("{\"dl\":\"http://127.0.0.1:" + proxy.port() + "/cargo" + form + "/api/v1/crates\",\"api\":null}",
                    new String(config.body()), form);
        }
        List<String> log = upstream.accessLog();
        assertTrue(log.stream().anyMatch(l -> l.startsWith("GET /api/v1/crates/hello-dep/0.1.0/download 200")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("GET /p/he/ll/hello-dep/0.1.0.crate 200")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.matches("GET /s/he/ll/[0-9a-f]{64}\\.crate 200.*")), log.toString());
        assertEquals(404, proxy.get("/cargo/no/su/nosuchcrate").statusCode(), "cargo reads a 404 as no such crate");
    }

    @Test
    void tamperedCrate_isRefused_notStored_andCargoFails() throws Exception {
        Path crate = tree.resolve("crates/tampered/tampered-1.0.0.crate");
        Files.copy(Path.of(crate + ".evil"), crate, StandardCopyOption.REPLACE_EXISTING);
        Path project = project("tampered", "tampered = \"1\"\n");
        Commands.Result r = Commands.exec(project, cargoCommand(project, cargoHome("home-t", "/cargo"), "fetch"), 300);
        assertNotEquals(0, r.exit(), "cargo must not succeed with the tampered crate: " + r.output());
        try {
            HttpResponse<byte[]> direct = proxy.get("/cargo/api/v1/crates/tampered/1.0.0/download");
            assertFalse(direct.statusCode() == 200 && Arrays.equals(direct.body(), Files.readAllBytes(crate)),
                    "the tampered crate was served whole");
        } catch (IOException cut) {
            // expected: the download was cut when the checksum did not match
        }
        Files.copy(Path.of(crate + ".good"), crate, StandardCopyOption.REPLACE_EXISTING);
        HttpResponse<byte[]> good = proxy.get("/cargo/api/v1/crates/tampered/1.0.0/download");
        assertEquals(200, good.statusCode());
        assertNotEquals("HIT", good.headers().firstValue("X-Cache").orElse(""), "nothing had been stored");
        cargo(project, cargoHome("home-t2", "/cargo"), "fetch");
    }

    private Path project(String name, String dependencies) throws IOException {
        Path p = Files.createDirectories(work.resolve("proj-" + name).resolve("src"));
        Files.writeString(p.getParent().resolve("Cargo.toml"), "[package]\nname = \"consumer\"\nversion = \"0.0.0\"\n"
                + "edition = \"2021\"\n[dependencies]\n" + dependencies);
        Files.writeString(p.resolve("main.rs"), dependencies.contains("abc")
                ? "fn main() { println!(\"{} / {}\", hello_dep::hello(), abc::hello()); }\n" : "fn main() {}\n");
        return p.getParent();
    }

    /** A fresh CARGO_HOME whose crates.io is replaced by the proxy's mount. */
    @Test
    void cargoOverHttps_trustingTheTestCaThroughCargoHttpCainfo() throws Exception {
        TestCa ca = TestCa.create(work.resolve("tls-ca"), "cargo test CA");
        TestCa.Issued server = ca.server("localhost", "DNS:localhost");
        try (TestProxy tls = TestProxy.start(work.resolve("backend-tls"), TestCa.tlsYaml(server, null), """
                  - name: cargo
                    enabled: true
                    cargo: { route: { path: /cargo }, upstream: "${UPSTREAM}/index/" }
                """, upstream.url(""))) {
            Path project = project("https", "hello-dep = \"0.1\"\n");
            Path home = Files.createDirectories(work.resolve("home-https"));
            Files.writeString(home.resolve("config.toml"), "[source.crates-io]\nreplace-with = \"cache\"\n[source.cache]\n"
                    + "registry = \"sparse+https://localhost:" + tls.port() + "/cargo/\"\n[net]\nretry = 0\n");
            List<String> cmd = new ArrayList<>(cargoCommand(project, home, "fetch"));
            cmd.add(1, "CARGO_HTTP_CAINFO=" + ca.certificate());
            Commands.run(project, cmd, 300);
            assertTrue(Files.readString(project.resolve("Cargo.lock")).contains("name = \"hello-dep\""));
        }
    }

    @Test
    void aProtectedInstance_cargoSendsItsRegistryToken_andAWrongOneIsRefused() throws Exception {
        try (TestProxy guarded = TestProxy.start(work.resolve("backend-auth"), "", """
                  - name: cargo
                    enabled: true
                    access:
                      anonymous: none
                      principals: [ { name: ci, token: "cargo-s3cret" } ]
                    cargo: { route: { path: /cargo }, upstream: "${UPSTREAM}/index/", auth_required: true }
                """, upstream.url(""))) {
            String index = "sparse+http://127.0.0.1:" + guarded.port() + "/cargo/";
            Path home = Files.createDirectories(work.resolve("home-auth"));
            Files.writeString(home.resolve("config.toml"), "[source.crates-io]\nreplace-with = \"cache\"\n[source.cache]\n"
                    + "registry = \"" + index + "\"\n[registries.cache]\nindex = \"" + index + "\"\n[net]\nretry = 0\n"
                    // cargo sends tokens only through a credential provider; cargo:token reads CARGO_REGISTRIES_<NAME>_TOKEN
                    + "[registry]\nglobal-credential-providers = [\"cargo:token\"]\n");
            Path project = project("auth", "hello-dep = \"0.1\"\n");
            List<String> ok = new ArrayList<>(cargoCommand(project, home, "fetch"));
            ok.add(1, "CARGO_REGISTRIES_CACHE_TOKEN=cargo-s3cret");
            Commands.run(project, ok, 300);
            Path other = project("auth-wrong", "hello-dep = \"0.1\"\n");
            List<String> wrong = new ArrayList<>(cargoCommand(other, Files.createDirectories(work.resolve("home-auth-wrong")),
                    "generate-lockfile"));
            Files.copy(home.resolve("config.toml"), work.resolve("home-auth-wrong/config.toml"));
            wrong.add(1, "CARGO_REGISTRIES_CACHE_TOKEN=not-the-token");
            Commands.Result refused = Commands.exec(other, wrong, 300);
            assertTrue(refused.exit() != 0 && refused.output().contains("401"), refused.output());
        }
    }

    private Path cargoHome(String name, String mount) throws IOException {
        Path home = Files.createDirectories(work.resolve(name));
        Files.writeString(home.resolve("config.toml"), "[source.crates-io]\nreplace-with = \"cache\"\n[source.cache]\n"
                + "registry = \"sparse+http://127.0.0.1:" + proxy.port() + mount + "/\"\n[net]\nretry = 0\n");
        return home;
    }

    private String cargo(Path project, Path home, String... args) throws Exception {
        return Commands.run(project, cargoCommand(project, home, args), 300);
    }

    private List<String> cargoCommand(Path project, Path home, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "CARGO_HOME=" + home,
                "CARGO_TARGET_DIR=" + project.resolve("target"), "CARGO_TERM_COLOR=never", cargo()));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** cargo from rustup's usual place when it is not on the PATH of the test JVM. */
    private static String cargo() {
        Path rustup = Path.of(System.getProperty("user.home"), ".cargo", "bin", "cargo");
        return Files.isExecutable(rustup) ? rustup.toString() : "cargo";
    }

}
