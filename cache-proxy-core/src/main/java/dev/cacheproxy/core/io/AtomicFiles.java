package dev.cacheproxy.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file atomically and durably: the content goes to a temp file on the same file system, which
 * is fsynced, renamed over the target and followed by an fsync of the directory. A crash at any instant
 * leaves either the old file or the new one. The one implementation of this for the index entries, the
 * Linux repository state and the package listings.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Fills the temp file (it exists, empty, when called). */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path temp) throws IOException;
    }

    /** {@code target} with {@code bytes}; the temp file is made beside it. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, target.getParent(), temp -> Files.write(temp, bytes));
    }

    /** {@code target} with what {@code content} writes; the temp file is made beside it. */
    public static void write(Path target, Content content) throws IOException {
        write(target, target.getParent(), content);
    }

    /**
     * {@code target} with what {@code content} writes, the temp file in {@code tempDir} (which must be on
     * the target's file system; a store's {@code tmp/} is, and is swept after a crash).
     */
    public static void write(Path target, Path tempDir, Content content) throws IOException {
        Files.createDirectories(target.getParent());
        Files.createDirectories(tempDir);
        Path temp = Files.createTempFile(tempDir, "atomic-", ".part");
        try {
            content.writeTo(temp);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Makes a rename in {@code dir} durable; file systems that cannot fsync a directory still renamed atomically. */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not supported here: the rename is atomic all the same
        }
    }
}
