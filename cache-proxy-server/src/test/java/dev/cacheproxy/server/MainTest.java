package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MainTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    static Stream<Path> examples() throws Exception {
        Path root = Path.of("..", "config-examples");
        List<Path> files;
        try (Stream<Path> s = Files.list(root)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void validate_everyConfigExample(Path example) {
        assertEquals(0, run("-validate", "-config", example.toString()), err.toString());
        assertTrue(out.toString().contains(": OK"), out.toString());
    }

    @Test
    void validate_doubleDashSpellings_printASummaryOfInstancesAndRoutes() throws Exception {
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, """
                instances:
                  - name: files
                    enabled: true
                    file:
                      route: { path: /files }
                      upstreams: [http://up.example.org]
                """);
        assertEquals(0, run("--validate", "--config", cfg.toString()), err.toString());
        assertTrue(out.toString().contains("files") && out.toString().contains("/files"), out.toString());
    }

    @Test
    void validate_listsEveryProblemAndExits1() throws Exception {
        Path cfg = dir.resolve("bad.yaml");
        Files.writeString(cfg, """
                server:
                  bind: nowhere
                  colour: blue
                metrics:
                  path: metrics
                instances:
                  - name: "bad name"
                    file:
                      route: { path: /f }
                      upstreams: [ftp://x]
                """);
        assertEquals(1, run("-validate", "-config", cfg.toString()));
        String e = err.toString();
        assertTrue(e.contains("5 problem(s)"), e);
        assertTrue(e.contains("server.colour (line 3): unknown key"), e);
        assertTrue(e.contains("instances[0].file.upstreams (line 10)"), e);
    }

    @Test
    void missingConfigOption_isAUsageError() {
        assertEquals(2, run());
        assertTrue(err.toString().contains("missing required -config"), err.toString());
    }

    @Test
    void missingFile_isOneClearLine_noStackTrace() {
        assertEquals(1, run("-config", dir.resolve("nope.yaml").toString()));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().contains("does not exist"));
    }

    @Test
    void unknownOption_isAUsageError() {
        assertEquals(2, run("--frobnicate"));
    }

    @Test
    void versionAndHelp() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().startsWith("cache-proxy "), out.toString());
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("-config"), out.toString());
    }
}
