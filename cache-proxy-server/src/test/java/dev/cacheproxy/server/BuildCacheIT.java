package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The build tools' real clients against a {@code buildcache} instance (reference/hosted-caches.md): each
 * "machine A" fills the cache with a write token, "machine B" (empty local cache) is served by it, and a
 * machine with a read-only token builds all the same while nothing it tries to write is stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildCacheIT {
    static final String WRITE_TOKEN = "ci-write-token";
    static final String READ_TOKEN = "dev-read-token";

    private Path work;
    private TestProxy proxy;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("buildcache-it");
        proxy = TestProxy.start(work.resolve("store"), "", """
                  - name: builds
                    enabled: true
                    access:
                      principals:
                        - { name: ci, scope: write, token: "%s" }
                        - { name: dev, scope: read, token: "%s" }
                    buildcache:
                      route: { path: /cache }
                      max_object_size: 8MiB
                """.formatted(WRITE_TOKEN, READ_TOKEN), "http://127.0.0.1:9");
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        Commands.deleteTree(work);
    }

    private String base() {
        return "http://127.0.0.1:" + proxy.port() + "/cache";
    }

    /** Keys stored below {@code prefix}, as the admin listing shows them. */
    private int stored(String prefix) throws Exception {
        String listing = new String(proxy.get("/-/entries/builds?limit=1000&prefix=" + prefix).body());
        Matcher m = Pattern.compile("\"key\" : \"").matcher(listing);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    // ---- ccache ----------------------------------------------------------------------------------

    @Test
    void ccache_everyLayout_machineAFills_machineBHitsRemotely_aReadOnlyTokenWritesNothing() throws Exception {
        Path src = Files.createDirectories(work.resolve("ccache-src"));
        for (String layout : List.of("subdirs", "flat", "bazel")) {
            Files.writeString(src.resolve(layout + ".c"), "#include <stdio.h>\nint main(void) { puts(\"" + layout
                    + "\"); return 0; }\n");
            String remote = base() + "/cc-" + layout + "|layout=" + layout + "|bearer-token=" + WRITE_TOKEN;
            Map<String, Long> a = ccache(src, "A-" + layout, remote, layout + ".c");
            assertEquals(2L, a.getOrDefault("remote_storage_write", 0L), "a manifest and a result: " + a);
            assertEquals(2, stored("cc-" + layout + "/"), "both stored under the layout's paths");
            Map<String, Long> b = ccache(src, "B-" + layout, remote, layout + ".c");
            assertTrue(b.getOrDefault("remote_storage_hit", 0L) >= 1, "machine B compiled nothing: " + b);
            assertEquals(0L, b.getOrDefault("cache_miss", 0L), b.toString());
        }
        Files.writeString(src.resolve("readonly.c"), "int main(void) { return 7; }\n");
        String readOnly = base() + "/cc-ro|bearer-token=" + READ_TOKEN;
        Map<String, Long> ro = ccache(src, "RO", readOnly, "readonly.c");
        assertEquals(1L, ro.getOrDefault("cache_miss", 0L), "compiled locally: " + ro);
        assertTrue(ro.getOrDefault("remote_storage_error", 0L) >= 1, "its PUT was refused (403): " + ro);
        assertEquals(0, stored("cc-ro/"), "a read-only token stores nothing");
    }

    /** Compiles {@code file} with a fresh local cache {@code machine}; ccache's counters after. */
    private Map<String, Long> ccache(Path src, String machine, String remote, String file) throws Exception {
        Path dir = work.resolve("ccache-" + machine);
        List<String> env = List.of("env", "CCACHE_DIR=" + dir, "CCACHE_REMOTE_STORAGE=" + remote);
        List<String> compile = new ArrayList<>(env);
        compile.addAll(List.of("ccache", "gcc", "-c", file, "-o", machine + ".o"));
        Commands.run(src, compile, 120);
        List<String> stats = new ArrayList<>(env);
        stats.addAll(List.of("ccache", "--print-stats"));
        return Commands.run(src, stats, 60).lines().map(l -> l.split("\t"))
                .filter(p -> p.length == 2 && p[1].matches("\\d+"))
                .collect(Collectors.toMap(p -> p[0], p -> Long.parseLong(p[1]), (x, y) -> y));
    }

    // ---- Gradle ----------------------------------------------------------------------------------

    /**
     * Debian's Gradle 4.4.1 and Bazel 4.2.3 run on Java 17 (not on the JDK 25 that builds us); bin/test-tools
     * installs it. (Gradle's --offline would also turn its remote cache off: not used.)
     */
    private static final String JAVA17 = java17();

    private static String java17() {
        try (var dirs = Files.list(Path.of("/usr/lib/jvm"))) {
            return dirs.filter(d -> d.getFileName().toString().matches("java-17-openjdk-.*") && Files.isDirectory(d))
                    .map(Path::toString).findFirst().orElse("/usr/lib/jvm/java-17-openjdk");
        } catch (java.io.IOException e) {
            return "/usr/lib/jvm/java-17-openjdk";
        }
    }

    @Test
    void gradle_machineAPushes_machineBBuildsFromCache_aReadOnlyTokenBuildsButStoresNothing() throws Exception {
        Path a = gradleProject("gradle-A", WRITE_TOKEN, "hi");
        assertTrue(gradle(a, "A").contains("BUILD SUCCESSFUL"));
        assertEquals(1, stored("gradle/"), "the compileJava entry");
        Path b = gradleProject("gradle-B", WRITE_TOKEN, "hi");
        String fromCache = gradle(b, "B");
        assertTrue(fromCache.contains(":compileJava FROM-CACHE"), fromCache);
        String metrics = new String(proxy.get("/metrics").body());
        assertTrue(metrics.contains("cache_proxy_hosted_reads_total{instance=\"builds\",protocol=\"gradle\",result=\"hit\"} 1.0")
                && metrics.contains("cache_proxy_uploads_total{instance=\"builds\",protocol=\"gradle\"} 1.0"),
                "counted per client: " + metrics.lines().filter(l -> l.contains("gradle")).toList());

        Path ro = gradleProject("gradle-RO", READ_TOKEN, "read-only");
        String readOnly = gradle(ro, "RO");
        assertTrue(readOnly.contains("BUILD SUCCESSFUL") && !readOnly.contains("FROM-CACHE"), readOnly);
        assertEquals(1, stored("gradle/"), "the read-only build's entry was refused");
    }

    private Path gradleProject(String name, String token, String greeting) throws Exception {
        Path p = Files.createDirectories(work.resolve(name).resolve("src/main/java/demo"));
        Path root = work.resolve(name);
        Files.writeString(root.resolve("settings.gradle"), """
                rootProject.name = 'demo'
                buildCache {
                    local { enabled = false }
                    remote(HttpBuildCache) {
                        url = '%s/gradle/'
                        push = true
                        credentials { username = 'ci'; password = '%s' }
                    }
                }
                """.formatted(base(), token));
        Files.writeString(root.resolve("build.gradle"), "apply plugin: 'java'\n");
        Files.writeString(p.resolve("Hello.java"), "package demo; public class Hello { public static void main(String[] a) {"
                + " System.out.println(\"" + greeting + "\"); } }\n");
        return root;
    }

    private String gradle(Path project, String machine) throws Exception {
        return Commands.run(project, List.of("env", "JAVA_HOME=" + JAVA17, "GRADLE_USER_HOME=" + work.resolve("guh-" + machine),
                "gradle", "-p", project.toString(), "--build-cache", "--no-daemon", "--console=plain",
                "compileJava"), 300);
    }

    // ---- Bazel -----------------------------------------------------------------------------------

    @Test
    void bazel_machineAFillsAcAndCas_machineBHitsRemotely_aReadOnlyTokenBuildsButStoresNothing() throws Exception {
        String a = bazel(bazelWorkspace("bazel-A", "hello cache"), "A", WRITE_TOKEN);
        assertTrue(a.contains("1 local"), a);
        assertTrue(stored("ac/") >= 1 && stored("cas/") >= 2, "the action result and its blobs");
        String b = bazel(bazelWorkspace("bazel-B", "hello cache"), "B", WRITE_TOKEN);
        assertTrue(b.contains("1 remote cache hit"), b);
        assertEquals("HELLO CACHE\n", Files.readString(work.resolve("bazel-B/bazel-bin/hello.out")));

        int acBefore = stored("ac/");
        String ro = bazel(bazelWorkspace("bazel-RO", "read only"), "RO", READ_TOKEN);
        assertTrue(ro.contains("1 local") && ro.contains("WARNING: Writing to Remote Cache"),
                "built locally; its uploads refused (403): " + ro);
        assertEquals(acBefore, stored("ac/"), "nothing stored for the read-only token");
    }

    private Path bazelWorkspace(String name, String text) throws Exception {
        Path ws = Files.createDirectories(work.resolve(name));
        Files.writeString(ws.resolve("WORKSPACE"), "");
        Files.writeString(ws.resolve("in.txt"), text + "\n");
        Files.writeString(ws.resolve("BUILD"),
                "genrule(name = \"hello\", srcs = [\"in.txt\"], outs = [\"hello.out\"], cmd = \"tr a-z A-Z < $< > $@\")\n");
        return ws;
    }

    private String bazel(Path ws, String machine, String token) throws Exception {
        String root = "--output_user_root=" + work.resolve("bazel-root-" + machine);
        try {
            return Commands.run(ws, List.of("env", "JAVA_HOME=" + JAVA17, "bazel", root, "build", "//:hello",
                    "--spawn_strategy=local", "--remote_cache=" + base(), "--remote_header=Authorization=Bearer " + token), 300);
        } finally {
            Commands.exec(ws, List.of("env", "JAVA_HOME=" + JAVA17, "bazel", root, "shutdown"), 120);
        }
    }

    // ---- Turborepo and Nx ------------------------------------------------------------------------

    /** Where bin/test-tools installs turbo and Nx (from the machine's npm registry, once); workspaces link it. */
    private static final Path NODE_TOOLS = Path.of("/opt/cache-proxy-test/node/node_modules");

    private Path jsWorkspace(String name, String input, Map<String, String> files) throws Exception {
        Path repo = Files.createDirectories(work.resolve(name).resolve("packages/lib"));
        Path root = work.resolve(name);
        for (var f : files.entrySet()) {
            Files.writeString(root.resolve(f.getKey()), f.getValue());
        }
        Files.writeString(repo.resolve("input.txt"), input + "\n");
        Files.createSymbolicLink(root.resolve("node_modules"), NODE_TOOLS);
        Files.writeString(root.resolve(".gitignore"), "node_modules\n.turbo\n.nx\ndist\n");
        Commands.run(root, List.of("git", "init", "-q", "."), 30);
        Commands.run(root, List.of("git", "add", "-A"), 30);
        Commands.run(root, List.of("git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci", "commit", "-qm", "init"), 30);
        return root;
    }

    private static final String LIB_BUILD = "\"build\": \"mkdir -p dist && echo built-$(cat input.txt) > dist/out.txt\"";

    private String turbo(String name, String input, String token) throws Exception {
        String npmVersion = Commands.run(null, List.of("npm", "--version"), 60).trim();
        Path root = jsWorkspace(name, input, Map.of(
                "package.json", "{ \"name\": \"cp-turbo-demo\", \"private\": true, \"packageManager\": \"npm@" + npmVersion
                        + "\", \"workspaces\": [\"packages/*\"] }\n",
                "packages/lib/package.json", "{ \"name\": \"lib\", \"version\": \"1.0.0\", \"scripts\": { " + LIB_BUILD + " } }\n",
                "turbo.json", "{ \"remoteCache\": { \"signature\": true }, \"tasks\": { \"build\": { \"outputs\": [\"dist/**\"] } } }\n"));
        return Commands.run(root, List.of("env", "TURBO_API=" + base(), "TURBO_TOKEN=" + token, "TURBO_TEAM=team_demo",
                "TURBO_REMOTE_CACHE_SIGNATURE_KEY=0123456789abcdef0123456789abcdef", "TURBO_TELEMETRY_DISABLED=1",
                "TURBO_NO_UPDATE_NOTIFIER=1", "HOME=" + work.resolve("home-" + name), "./node_modules/.bin/turbo", "run", "build"), 300);
    }

    @Test
    void turbo_signedArtifacts_machineAPushes_machineBGetsFullTurbo_aReadOnlyTokenStillBuilds() throws Exception {
        String a = turbo("turbo-A", "one", WRITE_TOKEN);
        assertTrue(a.contains("Remote caching enabled") && a.contains("cache miss"), a);
        assertEquals(1, stored("v8/artifacts/slug:team_demo/"), "the artifact, stored for the team");
        String b = turbo("turbo-B", "one", WRITE_TOKEN);
        assertTrue(b.contains("cache hit") && b.contains("FULL TURBO"), "the x-artifact-tag came back, so B trusts it: " + b);
        assertEquals("built-one\n", Files.readString(work.resolve("turbo-B/packages/lib/dist/out.txt")));
        String ro = turbo("turbo-RO", "read-only", READ_TOKEN);
        assertTrue(ro.contains("1 successful"), ro);
        assertEquals(1, stored("v8/artifacts/slug:team_demo/"), "its upload was refused (403, a JSON body turbo reads)");
    }

    private String nx(String name, String input, String token) throws Exception {
        Path root = jsWorkspace(name, input, Map.of(
                "package.json", "{ \"name\": \"cp-nx-demo\", \"private\": true, \"workspaces\": [\"packages/*\"] }\n",
                "packages/lib/package.json", "{ \"name\": \"lib\", \"version\": \"1.0.0\", \"scripts\": { " + LIB_BUILD + " },"
                        + " \"nx\": { \"targets\": { \"build\": { \"cache\": true, \"inputs\": [\"{projectRoot}/input.txt\"],"
                        + " \"outputs\": [\"{projectRoot}/dist\"] } } } }\n",
                "nx.json", "{}\n"));
        return Commands.run(root, List.of("env", "NX_SELF_HOSTED_REMOTE_CACHE_SERVER=" + base(),
                "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=" + token, "NX_DAEMON=false", "NX_NO_CLOUD=true", "NX_TUI=false",
                "NPM_CONFIG_UPDATE_NOTIFIER=false", "HOME=" + work.resolve("home-" + name),
                "NX_CACHE_DIRECTORY=" + work.resolve("nxcache-" + name), "./node_modules/.bin/nx", "run", "lib:build"), 300);
    }

    @Test
    void nx_machineAPushes_machineBReadsTheOutput_aReadOnlyTokenBuildsAndStoresNothing() throws Exception {
        String a = nx("nx-A", "one", WRITE_TOKEN);
        assertTrue(a.contains("0/1 hit"), a);
        assertEquals(1, stored("v1/cache/"));
        String b = nx("nx-B", "one", WRITE_TOKEN);
        assertTrue(b.contains("1/1 hit"), b);
        assertEquals("built-one\n", Files.readString(work.resolve("nx-B/packages/lib/dist/out.txt")));
        String ro = nx("nx-RO", "read-only", READ_TOKEN); // Commands.run fails on a non-zero exit: Nx takes the 403
        assertTrue(ro.contains("0/1 hit"), ro);
        assertEquals(1, stored("v1/cache/"), "nothing stored for the read-only token");
    }

    // ---- Maven's build cache extension -----------------------------------------------------------

    /** Where bin/test-tools unpacks Maven 3.9.16 (the extension needs >= 3.9); run offline, like every test. */
    private static final String MAVEN = "/opt/cache-proxy-test/apache-maven-3.9.16/bin/mvn";

    /**
     * Plugin versions this repository's own build resolved into ~/.m2 before its tests run, so that the
     * offline build below finds them (and the extension, fetched by bin/test-tools).
     */
    private static final String PLUGINS = """
              <build><pluginManagement><plugins>
                <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.16.0</version></plugin>
                <plugin><artifactId>maven-resources-plugin</artifactId><version>3.5.0</version></plugin>
                <plugin><artifactId>maven-jar-plugin</artifactId><version>3.5.1</version></plugin>
                <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.6.1</version></plugin>
              </plugins></pluginManagement></build>
            """;

    private Path mavenProject(String name, String greeting) throws Exception {
        Path root = work.resolve(name);
        Path src = Files.createDirectories(root.resolve("src/main/java/demo"));
        Path mvnDir = Files.createDirectories(root.resolve(".mvn"));
        Files.writeString(mvnDir.resolve("extensions.xml"), """
                <extensions><extension><groupId>org.apache.maven.extensions</groupId>
                  <artifactId>maven-build-cache-extension</artifactId><version>1.3.0</version></extension></extensions>
                """);
        Files.writeString(mvnDir.resolve("maven-build-cache-config.xml"), """
                <cache><configuration><enabled>true</enabled><hashAlgorithm>SHA-256</hashAlgorithm>
                  <remote enabled="true" saveToRemote="true" id="build-cache"><url>%s/maven</url></remote>
                </configuration></cache>
                """.formatted(base()));
        Files.writeString(root.resolve("pom.xml"), """
                <project><modelVersion>4.0.0</modelVersion>
                  <groupId>demo</groupId><artifactId>hello</artifactId><version>1.0</version>
                  <properties><maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
                %s</project>
                """.formatted(PLUGINS));
        Files.writeString(src.resolve("Hello.java"), "package demo; public class Hello { public static void main(String[] a) {"
                + " System.out.println(\"" + greeting + "\"); } }\n");
        return root;
    }

    private String maven(Path project, String machine, String token) throws Exception {
        Path settings = Files.writeString(work.resolve("settings-" + machine + ".xml"), "<settings><servers><server>"
                + "<id>build-cache</id><username>ci</username><password>" + token + "</password></server></servers></settings>");
        return Commands.run(project, List.of("env", "JAVA_HOME=" + JAVA17, MAVEN, "-o", "-B", "package", "-s",
                settings.toString(), "-Dmaven.build.cache.location=" + work.resolve("mbc-" + machine)), 300);
    }

    @Test
    void mavenBuildCacheExtension_machineASaves_machineBRestores_aReadOnlyTokenBuildsButSavesNothing() throws Exception {
        String a = maven(mavenProject("maven-A", "hi"), "A", WRITE_TOKEN);
        assertTrue(a.contains("Saved to remote cache") && a.contains("BUILD SUCCESS"), a);
        assertTrue(stored("maven/v1.2/demo/hello/") >= 3, "the jar, buildinfo.xml and a report");
        String b = maven(mavenProject("maven-B", "hi"), "B", WRITE_TOKEN);
        assertTrue(b.contains("Found cached build, restoring demo:hello from cache")
                && b.contains("Skipping plugin execution (cached): compiler:compile"), b);
        int before = stored("maven/v1.2/demo/hello/");
        String ro = maven(mavenProject("maven-RO", "read-only"), "RO", READ_TOKEN);
        assertTrue(ro.contains("BUILD SUCCESS") && !ro.contains("Found cached build"), ro);
        assertEquals(before, stored("maven/v1.2/demo/hello/"), "its uploads were refused (403)");
    }
}
