package dev.cacheproxy.core.upstream;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Upstream URLs outside an instance's configured bases that its mode may fetch by absolute URL (PyPI's
 * files host, cargo's download URL, go's checksum database): a target is allowed only below one of the
 * allowed bases, by the same check as every other upstream URL ({@link UpstreamTarget#within}). The
 * bases come from the configuration or from documents the configured upstream served, never from what a
 * client sends; anything else is refused without a request.
 */
public interface AllowedTargets {
    /** Nothing outside the configured bases. */
    AllowedTargets NONE = target -> Optional.empty();

    /** The allowed base {@code target} is below, if any. */
    Optional<URI> baseOf(URI target);

    /** A fixed list of bases. */
    static AllowedTargets of(List<URI> bases) {
        List<URI> copy = List.copyOf(bases);
        return target -> copy.stream().filter(b -> UpstreamTarget.within(b, target)).findFirst();
    }
}
