package dev.cacheproxy.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@code apt-get} with a throw-away state tree (sources, lists, cache, dpkg status), so the
 * machine's own apt configuration is neither used nor touched (test-clients.md section 4.2). Runs as
 * the current user; {@code amd64} and {@code arm64} are both configured architectures.
 */
final class AptClient {
    private final Path dir;

    /** @param sourcesList the sources.list lines */
    AptClient(Path dir, String sourcesList) throws IOException {
        this.dir = dir;
        for (String d : List.of("etc/sources.list.d", "etc/preferences.d", "state/lists/partial",
                "cache/archives/partial", "dl")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.writeString(dir.resolve("state/status"), "");
        Files.writeString(dir.resolve("etc/sources.list"), sourcesList);
    }

    Path downloads() {
        return dir.resolve("dl");
    }

    Path archives() {
        return dir.resolve("cache/archives");
    }

    /** Runs {@code apt-get <args>} in the download directory; exit code and output. */
    Commands.Result exec(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("apt-get",
                "-o", "Dir::Etc::sourcelist=" + dir.resolve("etc/sources.list"),
                "-o", "Dir::Etc::sourceparts=" + dir.resolve("etc/sources.list.d"),
                "-o", "Dir::Etc::preferencesparts=" + dir.resolve("etc/preferences.d"),
                "-o", "Dir::State=" + dir.resolve("state"),
                "-o", "Dir::State::status=" + dir.resolve("state/status"),
                "-o", "Dir::Cache=" + dir.resolve("cache"),
                "-o", "Debug::NoLocking=1",
                "-o", "APT::Sandbox::User=" + System.getProperty("user.name"),
                "-o", "Acquire::Retries=0",
                "-o", "APT::Architectures=amd64,arm64"));
        cmd.addAll(List.of(args));
        return Commands.exec(dir.resolve("dl"), cmd, 300);
    }

    /** Like {@link #exec}, but the command must succeed without a warning or an error line. */
    String run(String... args) throws IOException, InterruptedException {
        Commands.Result r = exec(args);
        boolean clean = r.output().lines().noneMatch(l -> l.startsWith("W:") || l.startsWith("E:") || l.startsWith("Err:"));
        if (r.exit() != 0 || !clean) {
            throw new AssertionError("apt-get " + String.join(" ", args) + " exited " + r.exit() + ":\n" + r.output());
        }
        return r.output();
    }
}
