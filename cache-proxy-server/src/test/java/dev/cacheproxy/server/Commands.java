package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Real clients and generators run by the tests: output and exit code, a timeout that fails the test. */
final class Commands {
    /** What a finished command printed (stdout and stderr together) and how it exited. */
    record Result(int exit, String output) {}

    private Commands() {}

    static Result exec(Path dir, List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
        return new Result(p.exitValue(), out);
    }

    /** Runs {@code cmd} in {@code dir} (null: the current directory); it must exit 0. */
    static String run(Path dir, List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Result r = exec(dir, cmd, timeoutSeconds);
        assertEquals(0, r.exit(), String.join(" ", cmd) + "\n" + r.output());
        return r.output();
    }

    /**
     * Starts a server in the foreground (output to {@code log}) and waits until it accepts connections
     * on {@code port}; fails with its output if it exits or does not come up within {@code seconds}.
     */
    static Process startServer(List<String> cmd, Path log, int port, int seconds) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
                return process;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException(cmd.get(0) + " exited: " + java.nio.file.Files.readString(log));
                }
                Thread.sleep(50);
            }
        }
        process.destroyForcibly();
        throw new IOException(cmd.get(0) + " did not start on port " + port);
    }

    /** Stops a server started by {@link #startServer} (SIGTERM, then SIGKILL after 10 s); null is ignored. */
    static void stopServer(Process process) throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Deletes {@code p} and everything below it; nothing when it does not exist (null included). */
    static void deleteTree(Path p) throws IOException {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
