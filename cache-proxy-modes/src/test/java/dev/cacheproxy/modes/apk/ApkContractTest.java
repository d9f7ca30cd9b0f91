package dev.cacheproxy.modes.apk;

import dev.cacheproxy.core.testing.ModeContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The mode contract for apk repositories: a package no index lists (verified by length and shape), and a
 * client's first contact with an index (stored before any generation exists, served stale when the
 * upstream goes away). Generations are proven by ApkIT against a repository in apk's own format.
 */
class ApkContractTest extends ModeContract {
    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new ApkMode(), "apk", Map.of("route", Map.of("path", "/apk"),
                "upstreams", List.of(upstreamBase + "/repo")));
    }

    @Override
    protected Resource artifact() {
        return new Resource("/v3.20/main/x86_64/hello-1.0-r0.apk", "/repo/v3.20/main/x86_64/hello-1.0-r0.apk",
                new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0});
    }

    /** Not an index archive: no generation can be built, so first contact is what serves it. */
    @Override
    protected Resource revalidated() {
        return new Resource("/v3.20/main/x86_64/APKINDEX.tar.gz", "/repo/v3.20/main/x86_64/APKINDEX.tar.gz",
                "not a tar archive\n".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected Resource missing() {
        return new Resource("/v3.20/main/x86_64/nothing-1.0-r0.apk",
                "/repo/v3.20/main/x86_64/nothing-1.0-r0.apk", new byte[0]);
    }

    @Override
    protected List<String> malformed() {
        return List.of("/");
    }
}
