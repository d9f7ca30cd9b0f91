package dev.cacheproxy.modes.pacman;

import dev.cacheproxy.core.testing.ModeHarness;
import dev.cacheproxy.modes.linuxrepo.FirstContactContract;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * First contact for pacman repositories: the database and its signature, both stored when a client
 * first asks for them (the signature is not listed by the database; pacman checks it).
 */
class PacmanFirstContactTest extends FirstContactContract {
    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new PacmanMode(), "pacman", Map.of("route", Map.of("path", "/pacman"),
                "upstreams", List.of(upstreamBase + "/repo")));
    }

    @Override
    protected String rootFile() {
        return "core/os/x86_64/core.db";
    }

    @Override
    protected String member() {
        return "core/os/x86_64/core.db.sig";
    }

    @Override
    protected boolean memberListedByHash() {
        return false;
    }

    @Override
    protected byte[] rootFileListing(String memberSha256, long memberSize) {
        return "a database the first refresh has not read yet\n".getBytes(StandardCharsets.UTF_8);
    }
}
