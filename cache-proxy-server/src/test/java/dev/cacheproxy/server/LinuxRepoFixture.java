package dev.cacheproxy.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the Linux repository ITs start alike: a repository built by its ecosystem's generator
 * ({@code <interpreter> <script> init <repo>}) under {@code up/<mode>} in a temp directory, served by nginx,
 * and cache-proxy with one instance of {@code mode} at {@code /<mode>} in front of it, refreshing every
 * second. Closing stops both and deletes the directory.
 */
record LinuxRepoFixture(Path work, Path repo, NginxUpstream upstream, TestProxy proxy) implements AutoCloseable {
    static LinuxRepoFixture start(String mode, String interpreter, Path generator, int generatorSeconds) throws Exception {
        Path work = Files.createTempDirectory(mode + "-it");
        Path repo = work.resolve("up/" + mode);
        Commands.run(work, List.of(interpreter, generator.toString(), "init", repo.toString()), generatorSeconds);
        NginxUpstream upstream = new NginxUpstream(work.resolve("nginx"), work.resolve("up"), "");
        upstream.start();
        TestProxy proxy = TestProxy.start(work.resolve("backend"), "", """
                  - name: %1$s
                    enabled: true
                    %1$s:
                      route: { path: /%1$s }
                      upstreams: ["${UPSTREAM}"]
                      refresh_interval: 1s
                """.formatted(mode), upstream.url(""));
        return new LinuxRepoFixture(work, repo, upstream, proxy);
    }

    @Override
    public void close() throws Exception {
        List<Exception> failures = new ArrayList<>();
        try {
            proxy.close();
        } catch (RuntimeException e) {
            failures.add(e);
        }
        upstream.close();
        Commands.deleteTree(work);
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }
}
