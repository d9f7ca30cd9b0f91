package dev.cacheproxy.core.upstream;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Upstream URLs outside an instance's configured bases that its mode may fetch by absolute URL (PyPI's
 * files host, cargo's download URL, go's checksum database), each given as a base: a target is allowed
 * only below one of them, by the same check as every other upstream URL ({@link UpstreamTarget#within}).
 * Derived from the configuration, never from what a client sends; anything else is refused without a
 * request.
 */
public record AllowedTargets(List<URI> bases) {
    public static final AllowedTargets NONE = new AllowedTargets(List.of());

    public AllowedTargets {
        bases = List.copyOf(bases);
    }

    /** The allowed base {@code target} is below, if any. */
    public Optional<URI> baseOf(URI target) {
        return bases.stream().filter(b -> UpstreamTarget.within(b, target)).findFirst();
    }
}
