package dev.cacheproxy.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.index.HotEntries;
import dev.cacheproxy.core.mode.Mount;
import dev.cacheproxy.core.quota.StorageLimits;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.modes.file.FileConfig;
import dev.cacheproxy.modes.linuxrepo.LinuxRepoConfig;
import dev.cacheproxy.modes.npm.NpmConfig;
import dev.cacheproxy.modes.oci.OciConfig;
import dev.cacheproxy.s3.S3Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("UP", "http://up.example.org", "EMPTY", ""));

    private List<String> problems(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(yaml));
        return e.problems().stream().map(Object::toString).collect(Collectors.toList());
    }

    private static void assertHas(List<String> problems, String expected) {
        assertTrue(problems.stream().anyMatch(p -> p.equals(expected)),
                "expected problem\n  " + expected + "\nin\n  " + String.join("\n  ", problems));
    }

    private static String file(String name, String extra) {
        return """
                  - name: %s
                    enabled: true
                    file:
                      route: { path: /%s }
                      upstreams: [http://up.example.org]
                %s""".formatted(name, name, extra);
    }

    @Test
    void load_minimalFileInstance_appliesDefaults() throws Exception {
        AppConfig c = loader.load("instances:\n" + file("files", ""));
        assertEquals("127.0.0.1:18080", c.server().bind());
        assertEquals("/metrics", c.metrics().path());
        assertEquals(256, c.storage().maxActive());
        assertEquals(64, c.storage().maxActivePerInstance());
        AppConfig.Instance i = c.instances().get(0);
        assertEquals(new Mount.Path("/files"), i.mount());
        FileConfig f = (FileConfig) i.config();
        assertEquals("bypass", f.defaultPolicy().toString());
        assertEquals(Duration.ofHours(720), f.basics().expireAfter().maxAge());
    }

    @Test
    void tls_filesMustExist_aMissingKeyIsNamed_andTheDefaultsApply() throws Exception {
        java.nio.file.Path cert = java.nio.file.Files.createTempFile("cert", ".pem");
        java.nio.file.Path ca = java.nio.file.Files.createTempFile("ca", ".pem");
        List<String> p = problems("server:\n  tls:\n    certificate: " + cert + "\n    key: /nonexistent/key.pem\n");
        assertHas(p, "server.tls.key (line 4): /nonexistent/key.pem is not a readable file");
        assertHas(problems("server:\n  tls:\n    certificate: " + cert + "\n"), "server.tls.key (line 2): missing (required)");
        AppConfig c = loader.load("server:\n  tls:\n    certificate: " + cert + "\n    key: " + cert
                + "\n    client_ca: ${EMPTY}\n");
        var tls = c.server().tls().orElseThrow();
        assertEquals(java.util.Optional.empty(), tls.clientCa(), "an empty client_ca (${TLS_CLIENT_CA:-}) is none");
        assertEquals(dev.cacheproxy.server.tls.TlsSettings.ClientAuth.NONE, tls.clientAuth());
        assertEquals(dev.cacheproxy.server.tls.TlsSettings.Provider.AUTO, tls.provider());
        assertEquals(Duration.ofSeconds(10), tls.reloadInterval());
        var mutual = loader.load("server:\n  tls:\n    certificate: " + cert + "\n    key: " + cert + "\n    client_ca: "
                + ca + "\n").server().tls().orElseThrow();
        assertEquals(dev.cacheproxy.server.tls.TlsSettings.ClientAuth.REQUIRE, mutual.clientAuth(), "required by default");
        assertHas(problems("server:\n  tls:\n    certificate: " + cert + "\n    key: " + cert + "\n    provider: gnutls\n"),
                "server.tls.provider (line 5): 'gnutls' is not one of auto, openssl, jdk");
    }

    @Test
    void access_aPrincipalNeedsOneWayIn_andAnEmptyTokenIsAnError() {
        String head = "instances:\n  - name: f\n    enabled: true\n    access:\n      principals:\n";
        String tail = "    file:\n      route: { path: /f }\n      upstreams: [http://up.example.org]\n";
        assertHas(problems(head + "        - { name: ci, token: \"${EMPTY}\" }\n" + tail),
                "instances[0].access.principals[0].token (line 6): is empty (an unset ${VAR}?): a principal without a token "
                        + "would never match");
        assertHas(problems(head + "        - { name: ci }\n" + tail),
                "instances[0].access.principals[0].name (line 6): a principal needs a token, token_sha256, token_file or "
                        + "tls_subject");
        assertHas(problems(head + "        - { name: ci, token_sha256: abc }\n" + tail),
                "instances[0].access.principals[0].token_sha256 (line 6): must be 64 hex digits: the SHA-256 of the token "
                        + "(sha256sum)");
    }

    @Test
    void unknownKey_isReportedWithPathAndLine() {
        assertHas(problems("server:\n  bind: 127.0.0.1:1\n  bnid: x\n"), "server.bnid (line 3): unknown key");
    }

    @Test
    void unknownKeyInsideAModeBlock_isReported() {
        assertHas(problems("instances:\n" + file("f", "      default_polciy: immutable\n")),
                "instances[0].file.default_polciy (line 7): unknown key");
    }

    @Test
    void wrongType_isReported() {
        assertHas(problems("storage:\n  download:\n    max_active: lots\n"),
                "storage.download.max_active (line 3): 'lots' is not a whole number");
    }

    @Test
    void badDuration_isReported() {
        assertHas(problems("storage:\n  gc:\n    blob: soon\n"),
                "storage.gc.blob (line 3): 'soon' is not a duration (expected e.g. 30s, 5m, 24h, 1h30m)");
    }

    @Test
    void badUrl_isReported() {
        List<String> p = problems("""
                instances:
                  - name: f
                    file:
                      route: { path: /f }
                      upstreams: [ftp://nowhere]
                """);
        assertHas(p, "instances[0].file.upstreams (line 5): 'ftp://nowhere' is not an absolute http(s) URL");
    }

    @Test
    void missingRequiredField_isReported() {
        assertHas(problems("instances:\n  - name: f\n    file:\n      route: { path: /f }\n"),
                "instances[0].file.upstreams (line 3): missing: file mode requires at least one upstream");
    }

    @Test
    void duplicateNames_andClashingRoutes_areReported() {
        List<String> p = problems("instances:\n" + file("a", "") + file("a", ""));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[1].name (line 7): duplicate instance name 'a'")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[1].file.route (line 10): path /a is already mounted")), p.toString());
    }

    @Test
    void twoModeBlocks_areReported() {
        List<String> p = problems("""
                instances:
                  - name: f
                    file:
                      route: { path: /f }
                      upstreams: [http://x.example.org]
                    npm:
                      upstream: http://x.example.org
                """);
        assertTrue(p.stream().anyMatch(s -> s.contains("more than one mode block")), p.toString());
    }

    @Test
    void unsupportedMode_isRejectedNamingTheMode() {
        List<String> p = problems("instances:\n  - name: n\n    flatpak:\n      upstreams: [ http://x.example.org ]\n");
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[0].flatpak (line 3): the flatpak mode of the Go project"
                + " is not offered")), p.toString());
    }

    @Test
    void npm_defaults_asTheGoProject() throws Exception {
        AppConfig c = loader.load("""
                instances:
                  - name: npm
                    enabled: true
                    npm:
                      route: { path: /npm }
                      upstream: ${UP}/
                """);
        NpmConfig n = (NpmConfig) c.instances().get(0).config();
        assertEquals("http://up.example.org", n.basics().upstream().toString());
        assertEquals(CachePolicy.REVALIDATE, n.metadataPolicy());
        assertEquals(Freshness.NONE, n.metadataFreshFor());
        assertEquals(BusyPolicy.STALE, n.metadataBusyPolicy());
        assertEquals(CachePolicy.IMMUTABLE, n.tarballPolicy());
    }

    @Test
    void npm_badFields_areAllReported() {
        List<String> p = problems("""
                instances:
                  - name: npm
                    npm:
                      route: { path: /npm }
                      metadata_policy: sometimes
                      metadata_fresh_for: 500ms
                      metadata_busy_policy: immutable
                      tarball_polcy: immutable
                """);
        assertHas(p, "instances[0].npm.upstream (line 3): missing: npm mode requires the registry URL "
                + "(e.g. upstream: ${NPM_UPSTREAM})");
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[0].npm.metadata_policy (line 5)")), p.toString());
        assertHas(p, "instances[0].npm.metadata_fresh_for (line 6): must be at least 1s (or forever)");
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[0].npm.metadata_busy_policy (line 7)")), p.toString());
        assertHas(p, "instances[0].npm.tarball_polcy (line 8): unknown key");
    }

    @Test
    void oci_defaults_andAuth() throws Exception {
        AppConfig c = loader.load("""
                instances:
                  - name: hub
                    enabled: true
                    oci:
                      bind: 127.0.0.1:15001
                      upstream: ${UP}
                      auth: { type: Bearer, token: abc }
                      rules:
                        - match: "library/**"
                          policy: immutable
                          expire_after: 48h
                """);
        OciConfig o = (OciConfig) c.instances().get(0).config();
        assertEquals(new Mount.Bind("127.0.0.1:15001"), o.mount());
        assertEquals(CachePolicy.REVALIDATE, o.defaultPolicy(), "a registry cache caches unless told otherwise");
        assertEquals(Freshness.NONE, o.freshFor());
        assertEquals(BusyPolicy.BYPASS, o.busyPolicy());
        assertEquals(new OciConfig.Auth.Bearer("abc"), o.auth());
        assertEquals(1, o.rules().size());
    }

    @Test
    void deb_defaults() throws Exception {
        AppConfig c = loader.load("""
                instances:
                  - name: deb
                    enabled: true
                    deb:
                      route: { path: /deb }
                      upstreams: ["${UP}"]
                      auxiliary_fresh_for: 5m
                """);
        LinuxRepoConfig d = (LinuxRepoConfig) c.instances().get(0).config();
        assertEquals(1, d.basics().upstreams().size());
        assertEquals(new Mount.Path("/deb"), d.mount());
        assertEquals(Duration.ofHours(1), d.refreshInterval());
        assertEquals(Duration.ofMinutes(10), d.refreshTimeout());
        assertEquals(CachePolicy.IMMUTABLE, d.artifactRule().policy());
        assertEquals(CachePolicy.REVALIDATE, d.auxiliaryRule().policy());
        assertEquals(Freshness.of(Duration.ofMinutes(5)), d.auxiliaryRule().freshFor());
    }

    @Test
    void deb_badFields_areAllReported() {
        List<String> p = problems("""
                instances:
                  - name: deb
                    deb:
                      route: { path: /deb }
                      metadata_policy: revalidate
                      refresh_interval: 0s
                      artifact_policy: sometimes
                """);
        assertHas(p, "instances[0].deb.upstreams (line 3): missing: the deb mode requires at least one upstream");
        // issue 29: the Go README documents metadata_* for the Linux modes; a wrong value is still an error
        assertTrue(p.stream().noneMatch(s -> s.startsWith("instances[0].deb.metadata_policy")), p.toString());
        assertHas(p, "instances[0].deb.refresh_interval (line 6): must be positive");
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[0].deb.artifact_policy (line 7)")), p.toString());
    }

    @Test
    void oci_badFields_areAllReported() {
        List<String> p = problems("""
                server:
                  bind: 127.0.0.1:18080
                instances:
                  - name: hub
                    oci:
                      bind: 127.0.0.1:18080
                      auth: { type: basic, username: u }
                      rules:
                        - match: "lib/[a"
                """);
        assertHas(p, "instances[0].oci.bind (line 6): address 127.0.0.1:18080 is already used by server.bind");
        assertHas(p, "instances[0].oci.upstream (line 5): missing: oci mode requires the registry URL "
                + "(e.g. upstream: ${OCI_UPSTREAM})");
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[0].oci.auth.password")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[0].oci.rules[0].match (line 9)")), p.toString());
    }

    @Test
    void badBind_isReported() {
        assertHas(problems("server:\n  bind: example.org:80\n"),
                "server.bind (line 2): 'example.org:80': host must be empty, localhost or an IP address");
    }

    @Test
    void envSubstitution_withDefaults_andMissingVariable() throws Exception {
        AppConfig c = loader.load("""
                server:
                  backend: ${NOPE:-/tmp/x}
                instances:
                  - name: f
                    file:
                      route: { path: /f }
                      upstreams: ["${UP}"]
                """);
        assertEquals("/tmp/x", c.server().backend().toString());
        assertEquals("http://up.example.org", ((FileConfig) c.instances().get(0).config()).basics().upstreams().get(0).toString());
        assertHas(problems("metrics:\n  token: ${MISSING}\n"),
                "metrics.token (line 2): environment variable MISSING is not set (use ${MISSING:-default} for a default)");
    }

    @Test
    void fiveDifferentMistakes_areAllReportedInOneRun() {
        List<String> p = problems("""
                server:
                  bind: nowhere
                  colour: blue
                metrics:
                  path: metrics
                instances:
                  - name: "bad name"
                    file:
                      route: { path: /f }
                      upstreams: [http://x.example.org]
                      fresh_for: tomorrow
                """);
        assertEquals(5, p.size(), String.join("\n", p));
    }

    @Test
    void notYaml_isOneClearProblem() {
        List<String> p = problems("server: [unclosed\n");
        assertEquals(1, p.size());
        assertTrue(p.get(0).contains("not valid YAML"), p.get(0));
    }

    @Test
    void rules_applyInOrder_laterOverridingTheFieldsTheySet() throws Exception {
        AppConfig c = loader.load("instances:\n" + file("f", """
                      default_policy: immutable
                      rules:
                        - match: "**/*.json"
                          policy: revalidate
                          fresh_for: 1m
                        - match: "nightly/**"
                          fresh_for: 10m
                """));
        FileConfig f = (FileConfig) c.instances().get(0).config();
        assertEquals("revalidate", f.ruleFor("a.json").policy().toString());
        assertEquals(Duration.ofMinutes(1), f.ruleFor("x/a.json").freshFor().window());
        assertEquals(Duration.ofMinutes(10), f.ruleFor("nightly/a.json").freshFor().window());
        assertEquals("immutable", f.ruleFor("nightly/a.bin").policy().toString());
        assertEquals("immutable", f.ruleFor("a.bin").policy().toString());
    }

    @Test
    void storageScrubCleanupAndTrustedProxies_defaultsAndValues() throws Exception {
        AppConfig d = loader.load("instances:\n" + file("files", ""));
        assertEquals(8L * 1024 * 1024, d.storage().scrubRate());
        assertEquals(Duration.ofHours(24), d.storage().scrubInterval());
        assertTrue(d.storage().cleanupEnabled());
        assertEquals(Duration.ofHours(6), d.storage().cleanupInterval());
        assertEquals(List.of(), d.server().trustedProxies());
        AppConfig c = loader.load("""
                server:
                  trusted_proxies: [ 10.0.0.0/8, "127.0.0.1", "::1/128" ]
                storage:
                  scrub: { rate: 512KiB, interval: 48h }
                  cleanup: { enabled: false, interval: 1h }
                instances:
                """ + file("files", ""));
        assertEquals(512L * 1024, c.storage().scrubRate());
        assertEquals(Duration.ofHours(48), c.storage().scrubInterval());
        assertEquals(false, c.storage().cleanupEnabled());
        assertEquals(Duration.ofHours(1), c.storage().cleanupInterval());
        assertEquals(List.of("10.0.0.0/8", "127.0.0.1", "::1/128"), c.server().trustedProxies());
    }

    @Test
    void storageLimits_defaultsAndValues() throws Exception {
        StorageLimits d = loader.load("instances:\n" + file("files", "")).storage().limits();
        assertFalse(d.hasQuota());
        assertEquals(StorageLimits.DEFAULT_MIN_FREE, d.minFree());
        StorageLimits c = loader.load("""
                storage:
                  max_size: 200GiB
                  high_watermark: 90%
                  low_watermark: 0.8
                  min_free: 512MiB
                instances:
                """ + file("files", "")).storage().limits();
        assertEquals(200L << 30, c.maxSize());
        assertEquals(0.9, c.highWatermark(), 1e-9);
        assertEquals(0.8, c.lowWatermark(), 1e-9);
        assertEquals(512L << 20, c.minFree());
    }

    @Test
    void hotIndexSize_defaultsTo64MiB_andIsRead() throws Exception {
        assertEquals(HotEntries.DEFAULT_BYTES, loader.load("instances:\n" + file("files", "")).storage().hotIndexSize());
        assertEquals(16L << 20, loader.load("storage:\n  hot_index_size: 16MiB\ninstances:\n" + file("files", ""))
                .storage().hotIndexSize());
        assertHas(problems("storage:\n  hot_index_size: 100KiB\n"),
                "storage.hot_index_size (line 2): must be at least 1MiB (it is the memory that keeps hits from reading index files)");
    }

    @Test
    void s3Backend_readsTheBucketBlock_andNeverPrintsTheSecret() throws Exception {
        ConfigLoader withKeys = new ConfigLoader(Map.of("S3_SECRET_KEY", "very-secret-value", "S3_ACCESS_KEY", "AKIDEXAMPLE"));
        AppConfig c = withKeys.load("""
                storage:
                  backend: s3
                  s3:
                    bucket: cache
                    prefix: fleet
                    endpoint: http://127.0.0.1:9000/
                    access_key: ${S3_ACCESS_KEY}
                    secret_key: ${S3_SECRET_KEY}
                    local_max_size: 2GiB
                instances:
                """ + file("files", ""));
        S3Settings s3 = c.storage().s3().orElseThrow();
        assertEquals("cache", s3.bucket());
        assertEquals("fleet/", s3.prefix());
        assertEquals("http://127.0.0.1:9000", s3.endpoint().orElseThrow().toString());
        assertTrue(s3.pathStyle(), "an endpoint of one's own is addressed path-style unless told otherwise");
        assertEquals("very-secret-value", s3.secretKey().orElseThrow());
        assertEquals(2L << 30, s3.localMaxSize());
        assertFalse(s3.toString().contains("very-secret-value") || s3.toString().contains("AKIDEXAMPLE"), s3.toString());
        assertFalse(loader.load("instances:\n" + file("files", "")).storage().s3().isPresent());
    }

    @Test
    void s3Backend_problemsNameTheirPath() {
        assertHas(problems("""
                storage:
                  backend: s3
                """), "storage.s3 (line 1): is required with storage.backend: s3 (bucket, and endpoint for an S3-compatible service)");
        List<String> p = problems("""
                storage:
                  backend: s4
                """);
        assertHas(p, "storage.backend (line 2): 's4' is not one of file, s3");
        List<String> q = problems("""
                storage:
                  backend: s3
                  max_size: 10GiB
                  s3:
                    endpoint: minio:9000
                    access_key: only-half
                """);
        assertHas(q, "storage.s3.bucket (line 4): missing (required)");
        assertHas(q, "storage.s3.endpoint (line 5): 'minio:9000' is not an absolute http(s) URL");
        assertHas(q, "storage.s3.secret_key (line 4): access_key and secret_key go together (or neither, for the SDK's default credentials)");
        assertTrue(q.stream().noneMatch(l -> l.contains("only-half")), q.toString());
    }

    @Test
    void badStorageLimits_areReportedWithTheirPath() {
        List<String> p = problems("""
                storage:
                  max_size: lots
                  high_watermark: 120%
                  low_watermark: 0.99
                  min_free: -1
                """);
        assertHas(p, "storage.max_size (line 2): 'lots' is not a size (expected e.g. 8MiB, 512KiB, 1GB or bytes)");
        assertHas(p, "storage.high_watermark (line 3): '120%' is not a share of storage.max_size (expected e.g. 0.9 or 90%)");
        assertHas(p, "storage.low_watermark (line 4): must be below high_watermark (0.99 >= 0.95)");
        assertHas(p, "storage.min_free (line 5): '-1' is not a size (expected e.g. 8MiB, 512KiB, 1GB or bytes)");
    }

    @Test
    void badScrubRateAndTrustedProxy_areReported() {
        List<String> p = problems("""
                server:
                  trusted_proxies: [ proxy.example.org, 10.0.0.0/33 ]
                storage:
                  scrub: { rate: fast }
                """);
        assertHas(p, "server.trusted_proxies (line 2): 'proxy.example.org' is not an IP address or CIDR range"
                + " (expected e.g. 10.0.0.0/8 or 127.0.0.1)");
        assertHas(p, "server.trusted_proxies (line 2): '10.0.0.0/33' is not an IP address or CIDR range"
                + " (expected e.g. 10.0.0.0/8 or 127.0.0.1)");
        assertHas(p, "storage.scrub.rate (line 4): 'fast' is not a size (expected e.g. 8MiB, 512KiB, 1GB or bytes)");
    }

    @Test
    void deb_metadataKeysOfTheGoReadme_areAcceptedWithAWarning_butStillTypeChecked() throws Exception {
        AppConfig c = loader.load("""
                instances:
                  - name: deb
                    enabled: true
                    deb:
                      route: { path: /deb }
                      upstreams: [ http://up.example.org/debian ]
                      metadata_policy: revalidate
                      metadata_fresh_for: 1m
                      metadata_busy_policy: stale
                      metadata_expire_after: 720h
                """);
        assertEquals(4, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).startsWith("instances[0].deb.metadata_policy (line 7): accepted and ignored:"),
                c.warnings().toString());
        assertHas(problems("""
                instances:
                  - name: deb
                    deb:
                      route: { path: /deb }
                      upstreams: [ http://up.example.org/debian ]
                      metadata_policy: sometimes
                """), "instances[0].deb.metadata_policy (line 6): 'sometimes' is not one of bypass, immutable, revalidate");
    }

    @Test
    void transportTimeout_isTheDialTimeout_andNotBothAtOnce() throws Exception {
        AppConfig c = loader.load("instances:\n" + file("f", "      transport: { timeout: 7s }\n"));
        assertEquals(Duration.ofSeconds(7), ((FileConfig) c.instances().get(0).config()).transport().dialTimeout());
        assertHas(problems("instances:\n" + file("f", "      transport: { timeout: 7s, dial_timeout: 3s }\n")),
                "instances[0].file.transport.timeout (line 7): set either timeout or dial_timeout (the same dial timeout), not both");
    }

    @Test
    void transportConnectionLimits_areRead_withTheGoDefaultsForNoneZeroOrLess() throws Exception {
        TransportSettings set = ((FileConfig) loader.load("instances:\n" + file("f",
                "      transport: { max_idle_conns: 5, max_conns_per_host: 3 }\n")).instances().get(0).config()).transport();
        assertEquals(5, set.maxIdleConns());
        assertEquals(3, set.maxConnsPerHost());
        TransportSettings zero = ((FileConfig) loader.load("instances:\n" + file("f",
                "      transport: { max_idle_conns: 0, max_conns_per_host: -1 }\n")).instances().get(0).config()).transport();
        assertEquals(100, zero.maxIdleConns());
        assertEquals(200, zero.maxConnsPerHost());
        assertHas(problems("instances:\n" + file("f", "      transport: { max_conns_per_host: many }\n")),
                "instances[0].file.transport.max_conns_per_host (line 7): 'many' is not a whole number");
    }

    @Test
    void transportProxy_isAPlainHttpProxy_whoseCredentialsAreNeverShown() throws Exception {
        assertHas(problems("instances:\n" + file("f", "      transport: { proxy: \"https://u:s3cret@proxy.example:3128\" }\n")),
                "instances[0].file.transport.proxy (line 7): 'https://proxy.example:3128': an https:// proxy is not"
                        + " supported; give its plain http:// address (HTTPS upstreams still go through it encrypted, in"
                        + " a CONNECT tunnel)");
        assertHas(problems("instances:\n" + file("f", "      transport: { proxy: \"socks5://u:s3cret@proxy.example:1080\" }\n")),
                "instances[0].file.transport.proxy (line 7): 'socks5://***@proxy.example:1080' is not an absolute http(s) URL");
        AppConfig c = loader.load("instances:\n" + file("f", "      transport: { proxy: \"http://u:s3cret@proxy.example:3128\" }\n"));
        assertEquals("Basic dTpzM2NyZXQ=", ((FileConfig) c.instances().get(0).config()).transport().proxyAuthorization()
                .orElseThrow());
    }

    /**
     * Issue 29: a config written from the Go project's README (every documented key, in its own shapes)
     * is accepted, every mode block included (apk and pacman were the last to land, issue 21).
     */
    @Test
    void configWrittenFromTheGoReadme_isAccepted() throws Exception {
        String yaml = Files.readString(Path.of("src/test/resources/config/go-readme.yaml"));
        ConfigLoader withEnv = new ConfigLoader(Map.of("NPM_UPSTREAM", "https://npm.example.org",
                "MAVEN_UPSTREAM", "https://maven.example.org/maven2", "DEBIAN_UPSTREAM", "https://deb.example.org/debian",
                "METRICS_TOKEN", "t"));
        AppConfig loaded = withEnv.load(yaml);
        assertTrue(loaded.instances().stream().anyMatch(i -> i.mode().key().equals("apk")), "the apk block");
        assertTrue(loaded.instances().stream().anyMatch(i -> i.mode().key().equals("pacman")), "the pacman block");
    }

    @Test
    void healthSettings_areValidatedAsTheGoProjectDoes() {
        List<String> p = problems("instances:\n"
                + file("f", "      transport:\n        health: { degrade_rate: 0.5, trip_rate: 0.3, min_weight: 0, canary_cooldown: 5s,"
                        + " probe_interval: 10s }\n"));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[0].file.transport.health.trip_rate (line")
                && s.contains("degrade_rate (0.5) must be below trip_rate (0.3)")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[0].file.transport.health.min_weight (line")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[0].file.transport.health.canary_cooldown (line")
                && s.contains("at least 10s")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[0].file.transport.health.probe_interval (line")
                && s.contains("at least 30s")), p.toString());
    }

    @Test
    void documentedButIgnoredKeys_areStillTypeChecked() {
        List<String> p = problems("storage:\n  download:\n    requests_per_second_per_host: lots\ninstances:\n"
                + file("f", "      transport:\n        health: { trip_rate: high, probe_interval: often }\n"));
        assertHas(p, "storage.download.requests_per_second_per_host (line 3): 'lots' is not a number");
        assertHas(p, "instances[0].file.transport.health.trip_rate (line 11): 'high' is not a number");
        assertHas(p, "instances[0].file.transport.health.probe_interval (line 11): 'often' is not a duration"
                + " (expected e.g. 30s, 5m, 24h, 1h30m)");
    }

    @Test
    void nix_upstreamsNeedTrustedKeys_keysAreChecked_andASecretKeyIsNeverEchoed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path notAKey = dir.resolve("nix.sk");
        java.nio.file.Files.writeString(notAKey, "secret-name:c2VjcmV0LWJ1dC10b28tc2hvcnQ=\n");
        List<String> p = problems("""
                instances:
                  - name: n
                    enabled: true
                    nix:
                      route: { path: /nix }
                      upstreams: [ "${UP}" ]
                  - name: m
                    enabled: true
                    nix:
                      route: { path: /nix2 }
                      trusted_public_keys: [ "nope" ]
                      secret_key_file: %s
                      priority: -1
                  - name: o
                    enabled: true
                    nix:
                      route: { path: /nix3 }
                      secret_key_file: %s
                """.formatted(notAKey, dir.resolve("missing.sk")));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[0].nix.trusted_public_keys") && s.contains("missing")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[1].nix.trusted_public_keys") && s.contains("'nope' is not a Nix public key")),
                p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[1].nix.secret_key_file") && s.contains("does not hold a Nix secret key")),
                p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[1].nix.priority")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("instances[2].nix.secret_key_file") && s.contains("not a readable file")),
                p.toString());
        assertTrue(p.stream().noneMatch(s -> s.contains("c2VjcmV0")), "the key file's content is never shown: " + p);
    }
}
