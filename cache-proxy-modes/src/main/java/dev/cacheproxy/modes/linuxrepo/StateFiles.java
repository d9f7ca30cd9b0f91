package dev.cacheproxy.modes.linuxrepo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What a Linux repository instance persists in its state directory:
 *
 * <pre>
 * roots.json                          every known root and its health (restored at start-up)
 * roots/&lt;hash of root path&gt;/current.json      the published generation (switched by an atomic rename)
 * roots/&lt;hash of root path&gt;/&lt;gen&gt;.artifacts  the package listing of that generation
 * </pre>
 *
 * The metadata bytes themselves are blobs in the shared store, indexed by content. Every file is
 * written to a temp name, synced and renamed, so a crash leaves the old or the new file, never half.
 */
public final class StateFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public StateFiles(Path dir) {
        this.dir = dir;
    }

    /** The directory of one root's generation files. */
    public Path rootDir(String rootPath) {
        return dir.resolve("roots").resolve(Digest.sha256Of(rootPath).hex().substring(0, 24));
    }

    public Path listingFile(String rootPath, String generationId) {
        return rootDir(rootPath).resolve(generationId + ".artifacts");
    }

    // ---- roots

    public void saveRoots(List<Root.Snapshot> roots) throws IOException {
        ArrayNode arr = JSON.createArrayNode();
        for (Root.Snapshot r : roots) {
            ObjectNode o = arr.addObject();
            o.put("path", r.path());
            o.put("state", r.state().name().toLowerCase(java.util.Locale.ROOT));
            r.wantedIndexDirs().forEach(o.putArray("index_dirs")::add);
            o.put("failures", r.failures());
            putInstant(o, "last_attempt", r.lastAttempt());
            putInstant(o, "last_success", r.lastSuccess());
            if (r.lastError() != null) {
                o.put("last_error", r.lastError());
            }
        }
        AtomicFiles.write(dir.resolve("roots.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(arr));
    }

    public List<Root.Snapshot> loadRoots() throws IOException {
        JsonNode arr;
        try {
            arr = JSON.readTree(Files.readAllBytes(dir.resolve("roots.json")));
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Root.Snapshot> out = new ArrayList<>();
        for (JsonNode o : arr) {
            TreeSet<String> dirs = new TreeSet<>();
            o.path("index_dirs").forEach(d -> dirs.add(d.asText()));
            out.add(new Root.Snapshot(o.path("path").asText(),
                    Root.State.valueOf(o.path("state").asText("pending").toUpperCase(java.util.Locale.ROOT)), dirs,
                    o.path("failures").asInt(), o.hasNonNull("last_error") ? o.get("last_error").asText() : null,
                    instant(o, "last_attempt"), instant(o, "last_success")));
        }
        return out;
    }

    // ---- generations

    /**
     * Writes a generation's package listing to {@code file}, durably and under its final name only when
     * complete (before the generation that names it is published). Returns the number of paths.
     */
    public long writeListing(ArtifactListing.Builder listing, Path file) throws IOException {
        long[] count = new long[1];
        AtomicFiles.write(file, temp -> count[0] = listing.write(temp));
        return count[0];
    }

    /** Makes {@code g} the current generation of its root (an atomic rename). */
    public void publish(Generation g) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", g.id());
        o.put("root", g.rootPath());
        o.put("upstream", g.upstream());
        putInstant(o, "published_at", g.publishedAt());
        putFiles(o.putObject("files"), g.files());
        putFiles(o.putObject("listed"), g.listed());
        g.absent().stream().sorted().forEach(o.putArray("absent")::add);
        g.indexDirs().stream().sorted().forEach(o.putArray("index_dirs")::add);
        o.put("by_hash", g.byHash());
        putInstant(o, "valid_until", g.validUntil());
        o.put("artifacts", g.artifacts());
        AtomicFiles.write(rootDir(g.rootPath()).resolve("current.json"), JSON.writeValueAsBytes(o));
    }

    public Optional<Generation> current(String rootPath) throws IOException {
        JsonNode o;
        try {
            o = JSON.readTree(Files.readAllBytes(rootDir(rootPath).resolve("current.json")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        TreeSet<String> absent = new TreeSet<>();
        o.path("absent").forEach(a -> absent.add(a.asText()));
        TreeSet<String> dirs = new TreeSet<>();
        o.path("index_dirs").forEach(a -> dirs.add(a.asText()));
        return Optional.of(new Generation(o.path("id").asText(), o.path("root").asText(), o.path("upstream").asText(),
                instant(o, "published_at"), files(o.path("files")), files(o.path("listed")), absent, dirs,
                o.path("by_hash").asBoolean(), instant(o, "valid_until"), o.path("artifacts").asLong()));
    }

    /** Deletes the listings of every generation of the root but {@code keep}. */
    public void deleteOtherListings(String rootPath, String keep) throws IOException {
        Path d = rootDir(rootPath);
        if (!Files.isDirectory(d)) {
            return;
        }
        try (Stream<Path> files = Files.list(d)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if ((name.endsWith(".artifacts") && !name.equals(keep + ".artifacts")) || name.startsWith("tmp-")) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void putFiles(ObjectNode target, Map<String, Generation.FileRef> files) {
        files.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            ObjectNode f = target.putObject(e.getKey());
            f.put("sha256", e.getValue().sha256());
            f.put("size", e.getValue().size());
            if (!e.getValue().headers().isEmpty()) {
                ObjectNode h = f.putObject("headers");
                e.getValue().headers().forEach(h::put);
            }
        });
    }

    private static Map<String, Generation.FileRef> files(JsonNode node) {
        Map<String, Generation.FileRef> out = new LinkedHashMap<>();
        node.properties().forEach(e -> {
            Map<String, String> headers = new LinkedHashMap<>();
            e.getValue().path("headers").properties().forEach(h -> headers.put(h.getKey(), h.getValue().asText()));
            out.put(e.getKey(), new Generation.FileRef(e.getValue().path("sha256").asText(),
                    e.getValue().path("size").asLong(-1), headers));
        });
        return out;
    }

    private static void putInstant(ObjectNode o, String key, Instant value) {
        if (value != null) {
            o.put(key, value.toString());
        }
    }

    private static Instant instant(JsonNode o, String key) {
        return o.hasNonNull(key) ? Instant.parse(o.get(key).asText()) : null;
    }


}
