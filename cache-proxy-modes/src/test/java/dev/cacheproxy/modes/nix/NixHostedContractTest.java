package dev.cacheproxy.modes.nix;

import dev.cacheproxy.core.testing.HostedContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.util.Map;

/** The hosted contract for a {@code nix} push cache: uploads are NARs, named by their own SHA-256. */
class NixHostedContractTest extends HostedContract {
    @Override
    protected void start(ModeHarness h) {
        h.start(new NixMode(), "nix", Map.of("route", Map.of("path", "/nix"), "max_nar_size", LIMIT + "B"));
    }

    @Override
    protected String keyFor(byte[] body) {
        return "/nar/" + NarInfo.nix32Sha256(body) + ".nar.xz";
    }
}
