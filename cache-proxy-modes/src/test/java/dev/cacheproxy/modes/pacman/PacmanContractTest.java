package dev.cacheproxy.modes.pacman;

import dev.cacheproxy.core.testing.ModeContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The mode contract for pacman repositories: a package no database lists (verified by length and
 * shape), and a client's first contact with a database (stored before any generation exists, served
 * stale when the upstream goes away). Generations are proven by PacmanIT with the real pacman.
 */
class PacmanContractTest extends ModeContract {
    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new PacmanMode(), "pacman", Map.of("route", Map.of("path", "/pacman"),
                "upstreams", List.of(upstreamBase + "/repo")));
    }

    @Override
    protected Resource artifact() {
        return new Resource("/core/os/x86_64/hello-1.0-1-any.pkg.tar.zst", "/repo/core/os/x86_64/hello-1.0-1-any.pkg.tar.zst",
                new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0x58, 1, 2});
    }

    /** Not a database archive: no generation can be built, so first contact is what serves it. */
    @Override
    protected Resource revalidated() {
        return new Resource("/core/os/x86_64/core.db", "/repo/core/os/x86_64/core.db",
                "not a tar archive\n".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected Resource missing() {
        return new Resource("/core/os/x86_64/nothing-1.0-1-any.pkg.tar.zst",
                "/repo/core/os/x86_64/nothing-1.0-1-any.pkg.tar.zst", new byte[0]);
    }

    @Override
    protected List<String> malformed() {
        return List.of("/");
    }
}
