package dev.cacheproxy.modes.rpm;

import dev.cacheproxy.core.testing.ModeContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The mode contract for RPM repositories: a package not listed by any primary (verified by length and
 * shape), and a client's first contact with {@code repomd.xml} (stored before any generation exists,
 * served stale when the upstream goes away). Generations are proven by RpmIT with the real dnf.
 */
class RpmContractTest extends ModeContract {
    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new RpmMode(), "rpm", Map.of("route", Map.of("path", "/rpm"), "upstreams", List.of(upstreamBase + "/repo")));
    }

    @Override
    protected Resource artifact() {
        return new Resource("/el/Packages/hello-1.0-1.noarch.rpm", "/repo/el/Packages/hello-1.0-1.noarch.rpm",
                new byte[] {(byte) 0xed, (byte) 0xab, (byte) 0xee, (byte) 0xdb, 3, 0, 0, 1});
    }

    /** A repomd.xml without primary data: no generation can be built, so first contact is what serves it. */
    @Override
    protected Resource revalidated() {
        return new Resource("/el/repodata/repomd.xml", "/repo/el/repodata/repomd.xml",
                "<?xml version=\"1.0\"?><repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><revision>1</revision></repomd>\n"
                        .getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected Resource missing() {
        return new Resource("/el/Packages/nothing-1.0-1.noarch.rpm", "/repo/el/Packages/nothing-1.0-1.noarch.rpm", new byte[0]);
    }

    @Override
    protected List<String> malformed() {
        return List.of("/");
    }
}
