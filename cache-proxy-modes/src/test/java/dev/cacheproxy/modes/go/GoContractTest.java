package dev.cacheproxy.modes.go;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import dev.cacheproxy.core.testing.ModeContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The mode contract for go: a module zip checked against the h1 hash the checksum database's lookup
 * states for it; version lists revalidated.
 */
class GoContractTest extends ModeContract {
    private static final byte[] ZIP = zip("package demo\n");

    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new GoMode(), "go", Map.of("route", Map.of("path", "/go"), "proxies", List.of(upstreamBase + "/proxy"),
                "sumdb", Map.of("enabled", true, "name", "localsum", "url", upstreamBase + "/sumdb")));
    }

    @Override
    protected Resource artifact() {
        return new Resource("/example.com/demo/@v/v1.0.0.zip", "/proxy/example.com/demo/@v/v1.0.0.zip", ZIP);
    }

    /** The database vouches for the real zip; the proxy serves another one under its name. */
    @Override
    protected void publishBroken(Resource r) {
        publishLookup(h1(ZIP));
        serve(r.upstreamPath(), aResponse().withBody(zip("package demo // but not the published one\n")));
    }

    @Override
    protected void publish(Resource r) {
        super.publish(r);
        if (r.path().endsWith(".zip")) {
            publishLookup(h1(r.body()));
        }
    }

    private void publishLookup(String h1) {
        serve("/sumdb/lookup/example.com/demo@v1.0.0", aResponse().withBody("7\nexample.com/demo v1.0.0 " + h1
                + "\nexample.com/demo v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\ngo.sum database tree\n8\n"
                + "hash\n\n— localsum sig\n"));
    }

    @Override
    protected Resource revalidated() {
        return new Resource("/example.com/demo/@v/list", "/proxy/example.com/demo/@v/list",
                "v1.0.0\nv1.1.0\n".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected Resource missing() {
        return new Resource("/example.com/nothing/@v/list", "/proxy/example.com/nothing/@v/list", new byte[0]);
    }

    @Override
    protected List<String> malformed() {
        return List.of("/", "/Example.com/x/@v/list", "/example.com/demo/@v/v1.0.0.exe", "/sumdb/other/latest",
                "/sumdb/localsum/lookup/example.com/demo@master", "/example.com/demo/@v/master.zip",
                "/example.com/demo/@v/master.info", "/nodot/@v/list");
    }

    private static byte[] zip(String source) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> e : Map.of("go.mod", "module example.com/demo\n", "demo.go", source).entrySet()) {
                z.putNextEntry(new ZipEntry("example.com/demo@v1.0.0/" + e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The h1 the proxy computes, found by asking its check which hash it would accept. */
    private static String h1(byte[] zip) {
        try {
            Path f = Files.createTempFile("zip", ".zip");
            Files.write(f, zip);
            String refusal = ModuleZip.zipCheck("example.com/demo", "v1.0.0", Optional.of("h1:none")).refuses(f)
                    .orElseThrow();
            Files.delete(f);
            return refusal.substring(refusal.indexOf("h1:"), refusal.indexOf(" is not"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** With the storage full and no stored copy: 503, with Retry-After: a module zip is checked against the checksum database's h1 hash, a hash over its files that only the whole zip gives. */
    @Override
    protected boolean artifactNeedsStorage() {
        return true;
    }
}
