package dev.cacheproxy.modes.deb;

import dev.cacheproxy.core.testing.ModeHarness;
import dev.cacheproxy.modes.linuxrepo.FirstContactContract;
import java.nio.charset.StandardCharsets;
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
}
