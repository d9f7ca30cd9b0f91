package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.server.config.ConfigLoader;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code make run} does (issue 15): bin/machine-upstreams reads the upstreams from the machine's
 * own clients — here a stand-in npm whose registry, pip whose index-url, go whose GOPROXY, cargo's source
 * replacement, a Maven
 * install whose super POM and apt sources that all point at a local nginx — and the quick start serves them: an npm install's first request
 * through the proxy reaches that registry.
 */
class QuickStartIT {
    private static final Pattern EXPORT = Pattern.compile("export (\\w+)=(\\S+)");

    @TempDir
    Path dir;

    @Test
    void machineUpstreams_feedTheQuickStart_whichServesThem() throws Exception {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("registry/demo/-"));
        try (NginxUpstream nginx = new NginxUpstream(dir.resolve("nginx"), root, "")) {
            nginx.start();
            String base = "http://127.0.0.1:" + nginx.port();
            Files.writeString(root.resolve("registry/demo/index.json"), "{\"name\":\"demo\",\"versions\":{\"1.0.0\":"
                    + "{\"dist\":{\"tarball\":\"" + base + "/registry/demo/-/demo-1.0.0.tgz\"}}}}");
            Map<String, String> env = machineUpstreams(base);
            assertEquals(base + "/registry", env.get("NPM_UPSTREAM"));
            assertEquals(base + "/maven2", env.get("MAVEN_UPSTREAM"));
            assertEquals(base + "/debian", env.get("DEBIAN_UPSTREAM"));
            assertEquals(base + "/pypi", env.get("PYPI_UPSTREAM"), "pip's index-url without its /simple");
            assertEquals(base + "/goproxy", env.get("GO_UPSTREAM"), "the first proxy of go env GOPROXY");
            assertEquals(base + "/cargo/", env.get("CARGO_UPSTREAM"), "the sparse registry replacing crates.io");

            env.put("CACHE_PROXY_BIND", "127.0.0.1:0");
            env.put("OCI_BIND", "127.0.0.1:0");
            env.put("CACHE_PROXY_DATA", dir.resolve("data").toString());
            var config = new ConfigLoader(env).load(Files.readString(Path.of("..", "config-examples", "quickstart.yaml")));
            try (TestProxy proxy = TestProxy.of(Application.start(config))) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(proxy.uri("/npm/demo"))
                        .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains(proxy.uri("/npm/demo/-/demo-1.0.0.tgz").toString()), r.body());
            }
        }
    }

    @Test
    void machineUpstreams_withoutAClient_turnItsInstanceOff() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("nothing"));
        Commands.Result r = Commands.exec(dir, List.of("env", "-i", "PATH=" + empty + ":/usr/bin:/bin",
                "HOME=" + dir, "APT_ETC=" + empty, "MAVEN_UPSTREAM=http://m.example.org", "NPM_UPSTREAM=http://n.example.org",
                "bash", Path.of("..", "bin", "machine-upstreams").toAbsolutePath().toString()), 60);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("export DEBIAN_ENABLED=false"), r.output());
        assertTrue(r.output().contains("no Debian archive in the apt sources found"), r.output());
        assertTrue(!r.output().contains("NPM_UPSTREAM") && !r.output().contains("MAVEN_UPSTREAM"),
                "variables already set are left alone: " + r.output());
    }

    /** Runs bin/machine-upstreams against stand-in clients that all name {@code base}. */
    private Map<String, String> machineUpstreams(String base) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path npm = bin.resolve("npm");
        Files.writeString(npm, "#!/bin/sh\n[ \"$1 $2 $3\" = \"config get registry\" ] && echo " + base + "/registry/\n");
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path python = bin.resolve("python3");
        Files.writeString(python, "#!/bin/sh\n[ \"$*\" = \"-m pip config get global.index-url\" ] && echo " + base
                + "/pypi/simple/ && exit 0\nexec /usr/bin/python3 \"$@\"\n");
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path go = bin.resolve("go");
        Files.writeString(go, "#!/bin/sh\n[ \"$*\" = \"env GOPROXY\" ] && echo " + base + "/goproxy/,direct\n");
        Files.setPosixFilePermissions(go, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cargo = Files.createDirectories(dir.resolve(".cargo"));
        Files.writeString(cargo.resolve("config.toml"), "[source.crates-io]\nreplace-with = \"mirror\"\n[source.mirror]\n"
                + "registry = \"sparse+" + base + "/cargo/\"\n");
        Path maven = Files.createDirectories(dir.resolve("maven/bin"));
        Path mvn = maven.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(bin.resolve("mvn"), mvn);
        Path lib = Files.createDirectories(dir.resolve("maven/lib"));
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(lib.resolve("maven-model-builder-9.9.jar")))) {
            zip.putNextEntry(new ZipEntry("org/apache/maven/model/pom-4.0.0.xml"));
            OutputStream out = zip;
            out.write(("<project><repositories><repository><id>central</id><url>" + base
                    + "/maven2</url></repository></repositories></project>").getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        Path apt = Files.createDirectories(dir.resolve("apt/sources.list.d"));
        Files.writeString(apt.resolve("debian.sources"), "Types: deb\nURIs: " + base + "/debian\nSuites: bookworm\n"
                + "Components: main\n\nTypes: deb\nURIs: " + base + "/debian-security\nSuites: bookworm-security\n");
        Commands.Result r = Commands.exec(dir, List.of("env", "-i", "PATH=" + bin + ":/usr/bin:/bin", "HOME=" + dir,
                "APT_ETC=" + dir.resolve("apt"), "bash", Path.of("..", "bin", "machine-upstreams").toAbsolutePath().toString()),
                60);
        assertEquals(0, r.exit(), r.output());
        Map<String, String> env = new HashMap<>();
        Matcher m = EXPORT.matcher(r.output());
        while (m.find()) {
            env.put(m.group(1), m.group(2));
        }
        return env;
    }
}
