package dev.cacheproxy.core.index;

import dev.cacheproxy.core.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Entries as files: {@code <root>/<instance>/ab/<sha256(key)>.json}, written atomically (temp file in
 * {@code tmp}, fsync, rename); a file's modification time is its entry's last use.
 */
public final class FileEntryStore implements EntryStore {
    private final Path root;
    private final Path tmp;

    /** @param tmp a directory on the same file system as {@code root}, swept at start-up */
    public FileEntryStore(Path root, Path tmp) {
        this.root = root;
        this.tmp = tmp;
    }

    public Path root() {
        return root;
    }

    private Path fileOf(String instance, String name) {
        return root.resolve(instance).resolve(name);
    }

    @Override
    public Optional<byte[]> read(String instance, String name) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(fileOf(instance, name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void write(String instance, String name, byte[] document) throws IOException {
        AtomicFiles.write(fileOf(instance, name), tmp, temp -> Files.write(temp, document));
    }

    @Override
    public void delete(String instance, String name) throws IOException {
        Files.deleteIfExists(fileOf(instance, name));
    }

    @Override
    public void forEach(String instance, Visitor visitor) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory)
                    .filter(d -> instance == null || d.getFileName().toString().equals(instance)).toList();
        }
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.walk(dir)) {
                Iterator<Path> it = files.filter(p -> p.getFileName().toString().endsWith(".json")).iterator();
                while (it.hasNext()) {
                    Path p = it.next();
                    byte[] bytes;
                    long modified;
                    try {
                        bytes = Files.readAllBytes(p);
                        modified = Files.getLastModifiedTime(p).toMillis();
                    } catch (NoSuchFileException e) {
                        continue; // removed while we walked
                    }
                    if (!visitor.visit(dir.getFileName().toString(), dir.relativize(p).toString(), bytes, modified)) {
                        return;
                    }
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }

    @Override
    public void touch(String instance, String name, long millis) throws IOException {
        try {
            Files.setLastModifiedTime(fileOf(instance, name), FileTime.fromMillis(millis));
        } catch (NoSuchFileException e) {
            // removed since: nothing to remember
        }
    }

    @Override
    public boolean shared() {
        return false;
    }
}
