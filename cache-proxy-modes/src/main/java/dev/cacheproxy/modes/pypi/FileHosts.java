package dev.cacheproxy.modes.pypi;

import dev.cacheproxy.core.io.AtomicFiles;
import dev.cacheproxy.core.upstream.AllowedTargets;
import dev.cacheproxy.core.upstream.UpstreamTarget;
import dev.cacheproxy.core.upstream.UpstreamUrls;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where files may be fetched from: below the upstream URL, and either below the configured
 * {@code file_hosts} or, when none are configured, below the places the upstream's pages link files to
 * (the public index keeps its files on another host). A learned place is the linked URL's origin and
 * first path segment ({@code https://files.example.org/packages/}), never a whole host: a page linking
 * one file outside the upstream URL does not open the rest of that server. Learned places come only
 * from pages the configured upstream served, never from a client's request; they are kept in the
 * instance's state directory so a file link still works after a restart, before its page is read
 * again. Bounded: pages linking to more than {@link #MAX_LEARNED} places do not get them all.
 */
final class FileHosts implements AllowedTargets {
    private static final Logger LOG = LoggerFactory.getLogger(FileHosts.class);
    static final int MAX_LEARNED = 32;

    private final List<URI> fixed;
    private final boolean learning;
    private final Set<URI> learned = new LinkedHashSet<>();
    private final Path stateFile;

    private FileHosts(List<URI> fixed, boolean learning, Path stateFile) {
        this.fixed = List.copyOf(fixed);
        this.learning = learning;
        this.stateFile = stateFile;
    }

    /** Hosts for an instance in front of {@code upstream}; learned ones are read from {@code stateDir}. */
    static FileHosts load(URI upstream, List<URI> configured, Path stateDir) {
        List<URI> fixed = new ArrayList<>();
        URI base = UpstreamUrls.withoutCredentials(upstream);
        fixed.add(base.getRawPath() == null || base.getRawPath().endsWith("/") ? base : URI.create(base + "/"));
        fixed.addAll(configured);
        FileHosts hosts = new FileHosts(fixed, configured.isEmpty(), stateDir.resolve("file-hosts"));
        if (hosts.learning) {
            try {
                for (String line : Files.readAllLines(hosts.stateFile, StandardCharsets.UTF_8)) {
                    if (!line.isBlank() && hosts.learned.size() < MAX_LEARNED) {
                        hosts.learned.add(URI.create(line.trim()));
                    }
                }
            } catch (NoSuchFileException e) {
                // nothing learned yet
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("could not read the learned file hosts in {}: {}", hosts.stateFile, e.toString());
            }
        }
        return hosts;
    }

    /** {@code scheme://authority/first-segment/} of a file URL (its origin when the file is at the top). */
    static URI scope(URI url) {
        String path = url.getRawPath() == null ? "/" : url.getRawPath();
        int second = path.indexOf('/', 1);
        return URI.create(url.getScheme().toLowerCase(Locale.ROOT) + "://"
                + UpstreamUrls.withoutCredentials(url).getRawAuthority() + (second < 0 ? "/" : path.substring(0, second + 1)));
    }

    /** Notes that a page of the upstream links a file at {@code target}. */
    void linkedFrom(URI target) {
        if (!learning) {
            return;
        }
        URI scope = scope(target);
        synchronized (this) {
            if (learned.contains(scope) || fixed.stream().anyMatch(f -> UpstreamTarget.within(f, target))
                    || learned.size() >= MAX_LEARNED) {
                return;
            }
            learned.add(scope);
            LOG.info("files below {} allowed: the upstream's pages link to them", UpstreamUrls.display(scope));
            try {
                Files.createDirectories(stateFile.getParent());
                StringBuilder text = new StringBuilder();
                learned.forEach(u -> text.append(u).append('\n'));
                AtomicFiles.write(stateFile, text.toString().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                LOG.warn("could not keep the learned file hosts in {}: {}", stateFile, e.toString());
            }
        }
    }

    @Override
    public synchronized Optional<URI> baseOf(URI target) {
        for (URI base : fixed) {
            if (UpstreamTarget.within(base, target)) {
                return Optional.of(base);
            }
        }
        return learned.stream().filter(b -> UpstreamTarget.within(b, target)).findFirst();
    }
}
