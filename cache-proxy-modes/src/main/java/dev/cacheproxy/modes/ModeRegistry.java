package dev.cacheproxy.modes;

import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.modes.apk.ApkMode;
import dev.cacheproxy.modes.buildcache.BuildCacheMode;
import dev.cacheproxy.modes.cargo.CargoMode;
import dev.cacheproxy.modes.deb.DebMode;
import dev.cacheproxy.modes.file.FileMode;
import dev.cacheproxy.modes.go.GoMode;
import dev.cacheproxy.modes.maven.MavenMode;
import dev.cacheproxy.modes.nix.NixMode;
import dev.cacheproxy.modes.npm.NpmMode;
import dev.cacheproxy.modes.oci.OciMode;
import dev.cacheproxy.modes.pacman.PacmanMode;
import dev.cacheproxy.modes.pypi.PypiMode;
import dev.cacheproxy.modes.rpm.RpmMode;
import java.util.List;
import java.util.Optional;

/**
 * Every mode this build offers, by its YAML key. Adding a mode is a new package plus one line in
 * {@link #AVAILABLE}. Keys of the Go project's modes we do not offer are known too, so that a config using
 * them gets a clear message instead of "unknown key".
 */
public final class ModeRegistry {
    private static final List<Mode<?>> AVAILABLE = List.of(new FileMode(), new NpmMode(), new MavenMode(), new OciMode(),
            new DebMode(), new PypiMode(), new GoMode(), new CargoMode(), new RpmMode(), new PacmanMode(), new ApkMode(),
            new BuildCacheMode(), new NixMode());

    /** Modes of the Go project that cache-proxy does not offer. */
    private static final List<String> UNSUPPORTED = List.of("git", "flatpak");

    private ModeRegistry() {}

    public static Optional<Mode<?>> find(String key) {
        return AVAILABLE.stream().filter(m -> m.key().equals(key)).findFirst();
    }

    public static List<String> availableKeys() {
        return AVAILABLE.stream().map(Mode::key).toList();
    }

    /** Every key that names a mode block, available or not. */
    public static boolean isModeKey(String key) {
        return find(key).isPresent() || UNSUPPORTED.contains(key);
    }

    /** Why a known mode key cannot be used, or empty when it can. */
    public static Optional<String> unavailableReason(String key) {
        if (UNSUPPORTED.contains(key)) {
            return Optional.of("the " + key + " mode of the Go project is not offered by cache-proxy");
        }
        return Optional.empty();
    }
}
