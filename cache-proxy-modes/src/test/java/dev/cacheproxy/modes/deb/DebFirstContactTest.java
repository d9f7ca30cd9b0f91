package dev.cacheproxy.modes.deb;

import dev.cacheproxy.core.testing.ModeHarness;
import dev.cacheproxy.modes.linuxrepo.FirstContactContract;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** First contact for Debian: a Release listing a Packages index. */
class DebFirstContactTest extends FirstContactContract {
    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new DebMode(), "deb", Map.of("route", Map.of("path", "/deb"), "upstreams", List.of(upstreamBase + "/repo")));
    }

    @Override
    protected String rootFile() {
        return "dists/stable/Release";
    }

    @Override
    protected String member() {
        return "dists/stable/main/binary-all/Packages";
    }

    @Override
    protected byte[] rootFileListing(String memberSha256, long memberSize) {
        return ("Origin: Test\nSuite: stable\nSHA256:\n " + memberSha256 + " " + memberSize + " main/binary-all/Packages\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected String packagePath() {
        return "pool/main/h/hello_1.0_all.deb";
    }

    @Override
    protected Map<String, byte[]> repositoryListing(byte[] pkg) {
        byte[] packages = ("Package: hello\nVersion: 1.0\nFilename: pool/main/h/hello_1.0_all.deb\nSize: " + pkg.length
                + "\nSHA256: " + sha256Hex(pkg) + "\n").getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(rootFile(), rootFileListing(sha256Hex(packages), packages.length));
        files.put(member(), packages);
        return files;
    }
}
