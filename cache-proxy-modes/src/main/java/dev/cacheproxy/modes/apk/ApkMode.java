package dev.cacheproxy.modes.apk;

import dev.cacheproxy.modes.linuxrepo.LinuxRepoMode;
import dev.cacheproxy.modes.linuxrepo.RepoLayout;
import java.time.Duration;

/** The {@code apk} mode: Alpine Linux package repositories (apk-tools v2 indexes). */
public final class ApkMode extends LinuxRepoMode {
    public ApkMode() {
        super("apk", Duration.ofHours(1));
    }

    @Override
    protected RepoLayout layout() {
        return new ApkLayout();
    }
}
