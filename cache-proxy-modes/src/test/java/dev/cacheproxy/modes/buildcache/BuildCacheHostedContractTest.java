package dev.cacheproxy.modes.buildcache;

import dev.cacheproxy.core.testing.HostedContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.util.Map;

/** The hosted contract for a {@code buildcache} instance's key store (the path ccache, Gradle and Bazel use). */
class BuildCacheHostedContractTest extends HostedContract {
    @Override
    protected void start(ModeHarness h) {
        h.start(new BuildCacheMode(), "builds", Map.of("route", Map.of("path", "/cache"), "max_object_size", LIMIT + "B"));
    }

    @Override
    protected String keyFor(byte[] body) {
        return "/gradle/" + Integer.toHexString(java.util.Arrays.hashCode(body));
    }
}
