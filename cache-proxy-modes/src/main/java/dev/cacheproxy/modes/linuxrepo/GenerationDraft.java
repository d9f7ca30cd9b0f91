package dev.cacheproxy.modes.linuxrepo;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A generation being built by a layout: the files fetched so far (already in the blob store) and what
 * the root file lists. Turned into a {@link Generation} when it is published.
 */
public final class GenerationDraft {
    final Map<String, Fetcher.StoredFile> files = new LinkedHashMap<>();
    final Map<String, Generation.FileRef> listed = new LinkedHashMap<>();
    final Set<String> absent = new TreeSet<>();
    final Set<String> indexDirs = new TreeSet<>();
    boolean byHash;
    Instant validUntil;

    public void file(Fetcher.StoredFile f) {
        files.put(f.path(), f);
    }

    /** A file the root file lists with its SHA-256, served by that hash when asked for by name. */
    public void listed(String path, String sha256, long size) {
        listed.put(path, new Generation.FileRef(sha256, size, Map.of()));
    }

    public boolean has(String path) {
        return files.containsKey(path);
    }

    public void absent(String path) {
        absent.add(path);
    }

    public void indexDir(String dir) {
        indexDirs.add(dir);
    }

    public void byHash(boolean on) {
        byHash = on;
    }

    public void validUntil(Instant when) {
        validUntil = when;
    }

    Generation toGeneration(String id, String rootPath, String upstream, Instant now, long artifacts) {
        Map<String, Generation.FileRef> refs = new LinkedHashMap<>();
        files.forEach((path, f) -> refs.put(path, new Generation.FileRef(f.blob().digest().hex(), f.blob().size(),
                f.headers())));
        Map<String, Generation.FileRef> otherListed = new LinkedHashMap<>(listed);
        refs.keySet().forEach(otherListed::remove);
        return new Generation(id, rootPath, upstream, now, refs, otherListed, absent, indexDirs, byHash, validUntil,
                artifacts);
    }
}
