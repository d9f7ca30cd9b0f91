package dev.cacheproxy.modes.nix;

import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.SharedBlocks;
import dev.cacheproxy.core.upstream.AllowedTargets;
import dev.cacheproxy.core.upstream.Failover;
import dev.cacheproxy.core.upstream.UpstreamAuth;
import dev.cacheproxy.core.upstream.UpstreamClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code nix} mode (an addition to the Go project's modes): see the package documentation. */
public final class NixMode implements Mode<NixConfig> {
    static final int DEFAULT_PRIORITY = 40;
    static final Duration DEFAULT_NARINFO_FRESH_FOR = Duration.ofHours(1);
    static final long DEFAULT_MAX_NAR_SIZE = 8L << 30;

    @Override
    public String key() {
        return "nix";
    }

    @Override
    public NixConfig parse(ConfigBlock b) {
        List<URI> upstreams = b.has("upstreams") ? SharedBlocks.upstreams(b, "the nix mode") : List.of();
        InstanceBasics basics = new InstanceBasics(SharedBlocks.route(b), upstreams, SharedBlocks.transport(b),
                SharedBlocks.negativeCacheFor(b), SharedBlocks.expireAfter(b), List.of());
        List<NixKeys.Trusted> trusted = new ArrayList<>();
        for (String k : b.stringList("trusted_public_keys")) {
            NixKeys.publicKey(k).ifPresentOrElse(trusted::add, () -> b.error("trusted_public_keys",
                    "'" + k + "' is not a Nix public key (name:base64 of 32 bytes, as nix-store --generate-binary-cache-key writes)"));
        }
        if (!upstreams.isEmpty() && b.stringList("trusted_public_keys").isEmpty()) {
            b.error("trusted_public_keys", "missing: the upstreams' narinfos are served only when signed by one of"
                    + " these keys (e.g. trusted_public_keys: [\"${NIX_UPSTREAM_KEY}\"])");
        }
        Optional<NixKeys.Signing> signing = Optional.empty();
        Optional<String> keyFile = b.string("secret_key_file").map(String::strip).filter(s -> !s.isEmpty());
        if (keyFile.isPresent()) {
            Path file = Path.of(keyFile.get());
            try {
                signing = NixKeys.secretKey(Files.readString(file));
                if (signing.isEmpty()) {
                    // never the content: it is a secret
                    b.error("secret_key_file", file + " does not hold a Nix secret key (name:base64 of 64 bytes,"
                            + " as nix-store --generate-binary-cache-key writes)");
                }
            } catch (IOException e) {
                b.error("secret_key_file", file + " is not a readable file");
            }
        }
        int priority = b.integer("priority").orElse(DEFAULT_PRIORITY);
        if (priority < 0) {
            b.error("priority", "must not be negative");
        }
        Freshness fresh = SharedBlocks.freshness(b, "narinfo_fresh_for").orElse(Freshness.of(DEFAULT_NARINFO_FRESH_FOR));
        long maxNar = SharedBlocks.positiveByteSize(b, "max_nar_size", DEFAULT_MAX_NAR_SIZE);
        Optional<Duration> grace = b.duration("gcroots_grace");
        if (grace.isPresent() && grace.get().isNegative()) {
            b.error("gcroots_grace", "must not be negative");
        }
        return new NixConfig(basics, List.copyOf(trusted), signing, priority, fresh, maxNar, grace);
    }

    @Override
    public ModeInstance create(String name, NixConfig config, ModeContext context) {
        // one index: pushed entries, pulled narinfos and NARs (a NAR's key is its file name, whoever brought it)
        EntryIndex index = context.index(name);
        HostedStore pushed = new HostedStore(name, context.store(), index, context.space(), context.clock(),
                context.events(), context.usage());
        Optional<CacheEngine> pulled = Optional.empty();
        if (!config.basics().upstreams().isEmpty()) {
            // substituters semantics: "not in this cache" moves on to the next upstream
            UpstreamClient client = new UpstreamClient(name, config.basics().upstreams(), config.basics().transport(),
                    context.events(), UpstreamAuth.NONE, AllowedTargets.NONE, Failover.ON_FAILURE_OR_MISSING,
                    context.health(), context.transports());
            pulled = Optional.of(new CacheEngine(name, context.store(), index, client, context.limiter(),
                    config.basics().negativeCacheFor(), context.clock(), context.events(), context.fillThreads(),
                    context.space()));
        }
        Optional<ClosureCollector> collector = config.gcrootsGrace()
                .map(grace -> new ClosureCollector(name, pushed, index, grace, context.clock(), context.events()));
        return new NixInstance(name, config, pushed, pulled, context.store(), collector);
    }
}
