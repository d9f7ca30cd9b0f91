package dev.cacheproxy.modes.nix;

import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.ModeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A {@code nix} block. {@code upstreams} (optional): binary caches asked in order, as Nix's {@code substituters}
 * are, whose narinfos must carry a signature by one of {@code trusted_public_keys}; {@code secret_key_file}
 * (optional): this cache's own key (Nix's {@code secret-key-files} format), which signs every narinfo it
 * serves, pushed or pulled, so that readers need to trust one key; {@code priority} for {@code nix-cache-info};
 * {@code narinfo_fresh_for}: how long a pulled narinfo is served before it is asked again;
 * {@code max_nar_size}: the largest NAR a writer may push; {@code gcroots_grace} (optional): keep pushed paths by
 * the GC root markers writers put under {@code gcroots/} ({@link ClosureCollector}) instead of by last use, never
 * removing what was pushed within this period.
 */
record NixConfig(InstanceBasics basics, List<NixKeys.Trusted> trustedKeys, Optional<NixKeys.Signing> signingKey,
        int priority, Freshness narinfoFreshFor, long maxNarSize, Optional<Duration> gcrootsGrace) implements ModeConfig {

    /** Never prints the secret key. */
    @Override
    public String toString() {
        return "NixConfig[mount=" + basics.mount() + ", upstreams=" + basics.upstreams().size() + ", trustedKeys="
                + trustedKeys.stream().map(NixKeys.Trusted::name).toList() + ", signingKey="
                + signingKey.map(NixKeys.Signing::name).orElse("(none)") + ", priority=" + priority + "]";
    }
}
