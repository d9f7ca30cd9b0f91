package dev.cacheproxy.core.blob;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.digest.MultiDigester;
import dev.cacheproxy.core.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded blob store: {@code <root>/blobs/sha256/ab/cd/<hex>}, in-progress writes in
 * {@code <root>/tmp} (same file system, so publishing is an atomic rename), and a {@code LOCK} file
 * held for the life of the store so that a second process cannot use the same directory.
 *
 * <p>Everything under {@code tmp/} at open time belongs to a process that died mid-fill (we hold the
 * lock, so nobody else is writing) and is swept. Blobs found damaged are moved to
 * {@code <root>/quarantine/<hex>.<n>.damaged} for an operator to inspect; nothing reads them there.
 */
public final class FileBlobStore implements BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileBlobStore.class);

    private final Path root;
    private final Path blobs;
    private final Path tmp;
    private final Path quarantine;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Looked up once: {@code Files.getFileStore} reads /proc/mounts and stats up the tree on each call. */
    private volatile FileStore fileStore;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong objects = new AtomicLong();

    private FileBlobStore(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.blobs = root.resolve("blobs").resolve("sha256");
        this.tmp = root.resolve("tmp");
        this.quarantine = root.resolve("quarantine");
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating if needed) the store at {@code root}, takes its lock and sweeps stale temp files.
     *
     * @throws StoreLockedException when another process or store holds the lock
     */
    public static FileBlobStore open(Path root) throws IOException {
        Files.createDirectories(root);
        FileChannel ch = FileChannel.open(root.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new StoreLockedException("storage directory " + root.toAbsolutePath()
                    + " is in use by another cache-proxy process (its LOCK file is held)");
        }
        FileBlobStore store = new FileBlobStore(root, ch, lock);
        try {
            Files.createDirectories(store.blobs);
            Files.createDirectories(store.tmp);
            store.sweepTemp();
            store.recount();
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    public Path root() {
        return root;
    }

    private void sweepTemp() throws IOException {
        int swept = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
                swept++;
            }
        }
        if (swept > 0) {
            LOG.info("swept {} stale temp file(s) left by an interrupted fill in {}", swept, tmp);
        }
    }

    private void recount() throws IOException {
        forEach(b -> {
            bytes.addAndGet(b.size());
            objects.incrementAndGet();
        });
    }

    /** Where the blob of {@code d} is, or would be, published. */
    public Path pathOf(Digest d) {
        String h = d.hex();
        return blobs.resolve(h.substring(0, 2)).resolve(h.substring(2, 4)).resolve(h);
    }

    @Override
    public BlobWriter newWriter(List<Digest> expected) throws IOException {
        Path file = Files.createTempFile(tmp, "fill-", ".part");
        return new Writer(file, new MultiDigester(expected));
    }

    @Override
    public Optional<BlobFile> find(Digest sha256) {
        Path p = pathOf(sha256);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class); // one stat, as Files.size
            return Optional.of(new BlobFile(sha256, p, a.size(), a.fileKey()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public InputStream open(Digest sha256) throws IOException {
        return Files.newInputStream(pathOf(sha256));
    }

    @Override
    public Optional<Instant> storedAt(Digest sha256) throws IOException {
        try {
            return Optional.of(Files.getLastModifiedTime(pathOf(sha256)).toInstant());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean verify(Digest sha256) throws IOException {
        MultiDigester digester = new MultiDigester(List.of());
        try (InputStream in = open(sha256)) {
            digester.update(in);
        } catch (NoSuchFileException e) {
            return false;
        }
        return digester.finish().get(DigestAlgorithm.SHA256).equals(sha256);
    }

    @Override
    public synchronized void quarantine(Digest sha256) throws IOException {
        Path p = pathOf(sha256);
        long size;
        try {
            size = Files.size(p);
        } catch (NoSuchFileException e) {
            return;
        }
        Files.createDirectories(quarantine);
        // a unique name per quarantined copy: the same digest can be damaged more than once
        Path target = Files.createTempFile(quarantine, sha256.hex() + ".", ".damaged");
        // the file system's time of the quarantine (the moved file keeps the blob's own time): purged after a while
        FileTime quarantinedAt = Files.getLastModifiedTime(target);
        try {
            Files.move(p, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(target, quarantinedAt);
        } catch (NoSuchFileException e) {
            Files.deleteIfExists(target);
            return; // someone else moved or deleted it first
        }
        bytes.addAndGet(-size);
        objects.decrementAndGet();
        LOG.warn("blob {} does not match its name or entry; moved to {}", sha256, quarantine);
    }

    @Override
    public int purgeQuarantine(Instant before) throws IOException {
        if (!Files.isDirectory(quarantine)) {
            return 0;
        }
        int purged = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(quarantine)) {
            for (Path f : files) {
                if (Files.getLastModifiedTime(f).toInstant().isBefore(before) && Files.deleteIfExists(f)) {
                    purged++;
                }
            }
        }
        return purged;
    }

    @Override
    public synchronized boolean delete(Digest sha256) throws IOException {
        Path p = pathOf(sha256);
        long size;
        try {
            size = Files.size(p);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (Files.deleteIfExists(p)) {
            bytes.addAndGet(-size);
            objects.decrementAndGet();
            return true;
        }
        return false;
    }

    @Override
    public void forEach(Consumer<BlobFile> visitor) throws IOException {
        try (Stream<Path> s = Files.walk(blobs)) {
            s.filter(Files::isRegularFile).forEach(p -> {
                try {
                    visitor.accept(new BlobFile(Digest.sha256(p.getFileName().toString()), p, Files.size(p)));
                } catch (IllegalArgumentException | NoSuchFileException e) {
                    // not a blob name, or deleted while walking: skip
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Override
    public long usableSpace() throws IOException {
        FileStore known = fileStore;
        if (known == null) {
            known = Files.getFileStore(tmp);
            fileStore = known;
        }
        return known.getUsableSpace();
    }

    @Override
    public StoreStats stats() {
        return new StoreStats(bytes.get(), objects.get());
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            lockChannel.close();
        }
    }

    private final class Writer implements BlobWriter {
        private final Path file;
        private final FileChannel channel;
        private final MultiDigester digester;
        private volatile long written;
        private Digest verified;
        private boolean done;

        Writer(Path file, MultiDigester digester) throws IOException {
            this.file = file;
            this.channel = FileChannel.open(file, StandardOpenOption.WRITE);
            this.digester = digester;
        }

        @Override
        public void write(ByteBuffer buffer) throws IOException {
            digester.update(buffer);
            int n = 0;
            while (buffer.hasRemaining()) {
                n += channel.write(buffer);
            }
            written += n;
        }

        @Override
        public long written() {
            return written;
        }

        @Override
        public Path tempFile() {
            return file;
        }

        @Override
        public Digest verify() throws IOException {
            if (done) {
                throw new IllegalStateException("writer already finished");
            }
            if (verified == null) {
                try {
                    verified = digester.finishAndVerify();
                } catch (IOException | RuntimeException e) {
                    abort();
                    throw e;
                }
            }
            return verified;
        }

        @Override
        public BlobFile commit() throws IOException {
            Digest sha256 = verify();
            try {
                channel.force(true);
                channel.close();
                Path target = pathOf(sha256);
                Files.createDirectories(target.getParent());
                long size = written;
                // Same content may be stored already (another instance or key). The fresh copy was just
                // verified and the stored one may have been damaged since, so the fresh one replaces it
                // (readers of the old file keep their open handle). The new file's time also gives it
                // blob GC's grace period.
                publish(file, target, size);
                AtomicFiles.fsyncDirectory(target.getParent());
                done = true;
                return new BlobFile(sha256, target, size);
            } catch (IOException | RuntimeException e) {
                abort();
                throw e;
            }
        }

        @Override
        public void abort() {
            if (done) {
                return;
            }
            done = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a file we are deleting
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("could not delete temp file {}: {}", file, e.toString());
            }
        }
    }

    /**
     * Renames a verified temp file over {@code target}; the existence check and the rename are one step
     * for the stats. A replaced file was counted with the size its name implies, which is this size.
     */
    private synchronized void publish(Path file, Path target, long size) throws IOException {
        boolean replacing = Files.exists(target);
        try {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("storage directory does not support atomic rename: " + root, e);
        }
        if (!replacing) {
            bytes.addAndGet(size);
            objects.incrementAndGet();
        }
    }
}
