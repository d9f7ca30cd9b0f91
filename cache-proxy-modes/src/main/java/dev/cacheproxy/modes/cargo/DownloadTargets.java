package dev.cacheproxy.modes.cargo;

import dev.cacheproxy.core.upstream.AllowedTargets;
import dev.cacheproxy.core.upstream.UpstreamTarget;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Crate downloads may come from below the {@code dl} base of the upstream's own {@code config.json}
 * (crates.io serves them from another host), API calls from below its {@code api} URL: both are taken
 * from that document, which only the configured upstream supplies, never from a client.
 */
final class DownloadTargets implements AllowedTargets {
    private volatile List<URI> bases = List.of();

    void allow(List<URI> fromConfig) {
        this.bases = List.copyOf(fromConfig);
    }

    @Override
    public Optional<URI> baseOf(URI target) {
        return bases.stream().filter(b -> UpstreamTarget.within(b, target)).findFirst();
    }
}
