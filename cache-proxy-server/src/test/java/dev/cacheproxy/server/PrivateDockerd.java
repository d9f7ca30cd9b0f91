package dev.cacheproxy.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Docker daemon of the test's own (test-clients.md §4.11): its own data and exec roots and socket,
 * vfs storage, no iptables and no bridge, optionally with a {@code --registry-mirror}. Pulls need
 * nothing else; it runs as root (as CI does). Registries on 127.0.0.0/8 are plain-http by default.
 */
final class PrivateDockerd implements AutoCloseable {
    private final Path dir;
    private final Process process;

    private PrivateDockerd(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    static PrivateDockerd start(Path dir, String registryMirror) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of("dockerd", "--data-root", dir + "/d", "--exec-root", dir + "/e",
                "--pidfile", dir + "/dockerd.pid", "--host", "unix://" + dir + "/docker.sock", "--iptables=false",
                "--ip6tables=false", "--bridge=none", "--storage-driver=vfs"));
        if (registryMirror != null) {
            cmd.add("--registry-mirror=" + registryMirror);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile())
                .start();
        PrivateDockerd d = new PrivateDockerd(dir, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("dockerd exited: " + Files.readString(dir.resolve("dockerd.log")));
            }
            if (Commands.exec(null, d.docker("version"), 30).exit() == 0) {
                return d;
            }
            Thread.sleep(250);
        }
        d.close();
        throw new IOException("dockerd did not come up: " + Files.readString(dir.resolve("dockerd.log")));
    }

    /** A docker CLI command line talking to this daemon. */
    List<String> docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker", "--host", "unix://" + dir + "/docker.sock"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: dockerd stops its managed containerd too
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        unmountLeftovers();
    }

    /** A daemon that ran containers leaves mounts under its roots (the default network namespace): undone. */
    private void unmountLeftovers() throws InterruptedException {
        try {
            List<String> mounts = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String target = line.split(" ")[1];
                if (target.startsWith(dir.toAbsolutePath() + "/")) {
                    mounts.add(target);
                }
            }
            mounts.sort((a, b) -> b.length() - a.length()); // deepest first
            for (String m : mounts) {
                Commands.exec(null, List.of("umount", "-l", m), 30);
            }
        } catch (IOException e) {
            // nothing mounted that we can see; the temp dir clean-up says if something is left
        }
    }
}
