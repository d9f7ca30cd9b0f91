package dev.cacheproxy.modes.deb;

import dev.cacheproxy.core.testing.ModeContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The mode contract for Debian repositories, on the paths that need no metadata generation: a
 * package not listed by any index (verified by length), an auxiliary file (revalidated). Generations
 * are proven by DebIT with the real apt-get.
 */
class DebContractTest extends ModeContract {
    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new DebMode(), "deb", Map.of("route", Map.of("path", "/deb"), "upstreams", List.of(upstreamBase + "/debian")));
    }

    @Override
    protected Resource artifact() {
        return new Resource("/pool/main/h/hello/hello_1.0_amd64.deb", "/debian/pool/main/h/hello/hello_1.0_amd64.deb",
                "!<arch>\ndebian-binary   ".getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    protected Resource revalidated() {
        return new Resource("/dists/stable/main/i18n/Translation-en", "/debian/dists/stable/main/i18n/Translation-en",
                "Package: hello\nDescription-en: hello\n".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected Resource missing() {
        return new Resource("/pool/main/x/xx/xx_1.0_all.deb", "/debian/pool/main/x/xx/xx_1.0_all.deb", new byte[0]);
    }

    @Override
    protected List<String> malformed() {
        return List.of("/");
    }
}
