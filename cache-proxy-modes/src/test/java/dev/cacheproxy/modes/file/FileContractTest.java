package dev.cacheproxy.modes.file;

import dev.cacheproxy.core.testing.ModeContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The mode contract for the generic file cache: immutable by default, {@code meta/**} revalidated. */
class FileContractTest extends ModeContract {
    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new FileMode(), "files", Map.of("route", Map.of("path", "/files"),
                "upstreams", List.of(upstreamBase + "/pub"), "default_policy", "immutable",
                "rules", List.of(Map.of("match", "meta/**", "policy", "revalidate"))));
    }

    @Override
    protected Resource artifact() {
        return new Resource("/releases/tool-1.0.tar.gz", "/pub/releases/tool-1.0.tar.gz",
                "a release archive".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected Resource revalidated() {
        return new Resource("/meta/latest.json", "/pub/meta/latest.json", "{\"v\":1}".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected Resource missing() {
        return new Resource("/releases/none.tar.gz", "/pub/releases/none.tar.gz", new byte[0]);
    }

    @Override
    protected List<String> malformed() {
        return List.of("/"); // below the mount, every path is a file's; unsafe ones never reach a mode
    }
}
