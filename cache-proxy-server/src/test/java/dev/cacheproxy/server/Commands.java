package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
}
