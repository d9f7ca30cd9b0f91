package dev.cacheproxy.modes.apk;

import dev.cacheproxy.core.testing.ModeHarness;
import dev.cacheproxy.modes.linuxrepo.FirstContactContract;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** First contact for apk repositories: the signed index is the only metadata; it is stored at first contact. */
class ApkFirstContactTest extends FirstContactContract {
    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new ApkMode(), "apk", Map.of("route", Map.of("path", "/apk"),
                "upstreams", List.of(upstreamBase + "/repo")));
    }

    @Override
    protected String rootFile() {
        return "v3.20/main/x86_64/APKINDEX.tar.gz";
    }

    @Override
    protected String member() {
        return null;
    }

    @Override
    protected byte[] rootFileListing(String memberSha256, long memberSize) {
        return "an index the first refresh has not read yet\n".getBytes(StandardCharsets.UTF_8);
    }
}
