package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module dependency rule of DESIGN §2, checked on the sources: core imports no mode and not the
 * server; modes import no server; a mode package imports no other mode package (the Linux family
 * shares code through {@code modes.linuxrepo}); every package has a package-info.java; core and modes
 * never read the wall clock (they get an {@code InstantSource}).
 */
class ModuleRulesTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dev\\.cacheproxy\\.[\\w.]+);", Pattern.MULTILINE);
    private static final Pattern FQN = Pattern.compile("\\bdev\\.cacheproxy\\.(server|modes)\\.[\\w.]+");

    private static List<Path> javaFiles(String module, String set) {
        Path dir = ROOT.resolve(module).resolve("src").resolve(set).resolve("java");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> references(Path file) throws IOException {
        String src = Files.readString(file);
        List<String> out = new ArrayList<>();
        Matcher m = IMPORT.matcher(src);
        while (m.find()) out.add(m.group(1));
        Matcher f = FQN.matcher(src);
        while (f.find()) out.add(f.group());
        return out;
    }

    @Test
    void core_neverImportsModesOrServer() throws IOException {
        List<String> bad = new ArrayList<>();
        for (Path f : javaFiles("cache-proxy-core", "main")) {
            for (String r : references(f)) {
                if (r.startsWith("dev.cacheproxy.modes") || r.startsWith("dev.cacheproxy.server")) bad.add(f + " -> " + r);
            }
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void modes_neverImportTheServer_norEachOther() throws IOException {
        List<String> bad = new ArrayList<>();
        Pattern pkg = Pattern.compile("dev\\.cacheproxy\\.modes\\.(\\w+)\\.");
        for (Path f : javaFiles("cache-proxy-modes", "main")) {
            String own = f.getParent().getFileName().toString();
            for (String r : references(f)) {
                if (r.startsWith("dev.cacheproxy.server")) bad.add(f + " -> " + r);
                Matcher m = pkg.matcher(r);
                if (m.lookingAt() && !m.group(1).equals(own) && !m.group(1).equals("linuxrepo")
                        && !f.getFileName().toString().equals("ModeRegistry.java")) {
                    bad.add(f + " -> " + r);
                }
            }
        }
        assertEquals(List.of(), bad);
    }

    /** Time comes from the injected clock (tests move it); only the server's composition root reads the system's. */
    @Test
    void coreAndModes_readTimeOnlyFromTheInjectedClock() throws IOException {
        Pattern wallClock = Pattern.compile("Instant\\.now\\(|System\\.currentTimeMillis\\(|InstantSource\\.system\\(|"
                + "Clock\\.system|LocalDateTime\\.now\\(|ZonedDateTime\\.now\\(");
        List<String> bad = new ArrayList<>();
        for (String module : List.of("cache-proxy-core", "cache-proxy-modes")) {
            for (Path f : javaFiles(module, "main")) {
                Matcher m = wallClock.matcher(Files.readString(f));
                while (m.find()) {
                    bad.add(f + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void everyPackage_hasAPackageInfo() throws IOException {
        List<String> missing = new ArrayList<>();
        for (String module : List.of("cache-proxy-core", "cache-proxy-modes", "cache-proxy-server")) {
            javaFiles(module, "main").stream().map(Path::getParent).distinct().forEach(dir -> {
                if (!Files.exists(dir.resolve("package-info.java"))) missing.add(dir.toString());
            });
        }
        assertTrue(missing.isEmpty(), "packages without package-info.java: " + missing);
    }

    /**
     * Every {@code java.net.http} client is made by {@code JdkUpstreamTransport.clientFor}, which applies the
     * instance's {@code transport.proxy}, and every request by {@code requestTo}, which adds the proxy URL's
     * credentials: clients built elsewhere went around the proxy (active probes, registry tokens, a build cache's
     * forwarded writes), and behind an office proxy they failed.
     */
    @Test
    void jdkHttpClientsAndRequests_areMadeOnlyWhereTheProxyAndItsCredentialsAreApplied() throws IOException {
        Pattern newClient = Pattern.compile("HttpClient\\.new(Builder|HttpClient)\\(|HttpRequest\\.newBuilder\\(");
        List<String> bad = new ArrayList<>();
        for (String module : List.of("cache-proxy-core", "cache-proxy-modes", "cache-proxy-server", "cache-proxy-s3")) {
            for (Path f : javaFiles(module, "main")) {
                if (f.getFileName().toString().equals("JdkUpstreamTransport.java")) {
                    continue;
                }
                Matcher m = newClient.matcher(Files.readString(f));
                while (m.find()) {
                    bad.add(f + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), bad);
    }
}
