package dev.cacheproxy.modes.pacman;

import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.modes.linuxrepo.LinuxRepoConfig;
import dev.cacheproxy.modes.linuxrepo.LinuxRepoInstance;
import java.time.Duration;

/** The {@code pacman} mode: pacman repositories (Arch Linux and its derivatives, custom repo-add repositories). */
public final class PacmanMode implements Mode<LinuxRepoConfig> {
    /** The Go project's default: Arch databases change several times an hour, and a db is small. */
    static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(2);

    @Override
    public String key() {
        return "pacman";
    }

    @Override
    public LinuxRepoConfig parse(ConfigBlock block) {
        return LinuxRepoConfig.parse(block, key(), DEFAULT_REFRESH_INTERVAL);
    }

    @Override
    public ModeInstance create(String instanceName, LinuxRepoConfig config, ModeContext context) {
        return LinuxRepoInstance.create(instanceName, new PacmanLayout(), config, context);
    }
}
