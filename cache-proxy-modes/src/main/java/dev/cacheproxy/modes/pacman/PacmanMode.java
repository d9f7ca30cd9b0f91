package dev.cacheproxy.modes.pacman;

import dev.cacheproxy.modes.linuxrepo.LinuxRepoMode;
import dev.cacheproxy.modes.linuxrepo.RepoLayout;
import java.time.Duration;

/**
 * The {@code pacman} mode: pacman repositories. Databases are refreshed every 2 minutes by default (the Go
 * project's: Arch databases change several times an hour, and a database is small).
 */
public final class PacmanMode extends LinuxRepoMode {
    public PacmanMode() {
        super("pacman", Duration.ofMinutes(2));
    }

    @Override
    protected RepoLayout layout() {
        return new PacmanLayout();
    }
}
