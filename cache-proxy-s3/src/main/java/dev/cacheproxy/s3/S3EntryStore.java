package dev.cacheproxy.s3;

import dev.cacheproxy.core.index.EntryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Index entries as objects, {@code <prefix>index/<instance>/ab/<sha256(key)>.json}, shared by every node
 * on the bucket: what one node fetched, the others serve. An object's last modification is its last use
 * for the size quota's order after a restart; uses are not written back (that would be one PUT per used
 * entry and flush), so with this store that order is the order of last writes.
 */
public final class S3EntryStore implements EntryStore {
    private final S3Objects s3;
    private final String root;

    public S3EntryStore(S3Objects s3, String prefix) {
        this.s3 = s3;
        this.root = prefix + "index/";
    }

    private String keyOf(String instance, String name) {
        return root + instance + "/" + name;
    }

    @Override
    public Optional<byte[]> read(String instance, String name) throws IOException {
        return s3.getBytes(keyOf(instance, name));
    }

    @Override
    public void write(String instance, String name, byte[] document) throws IOException {
        s3.put(keyOf(instance, name), document);
    }

    @Override
    public void delete(String instance, String name) throws IOException {
        s3.delete(keyOf(instance, name));
    }

    @Override
    public void forEach(String instance, Visitor visitor) throws IOException {
        String under = instance == null ? root : root + instance + "/";
        try {
            s3.list(under, o -> {
                String rest = o.key().substring(root.length());
                int slash = rest.indexOf('/');
                if (slash <= 0 || !rest.endsWith(".json")) {
                    return true;
                }
                Optional<byte[]> bytes;
                try {
                    bytes = s3.getBytes(o.key());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return bytes.isEmpty() // deleted since the listing
                        || visitor.visit(rest.substring(0, slash), rest.substring(slash + 1), bytes.get(),
                                o.lastModified().toEpochMilli());
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void touch(String instance, String name, long millis) {
        // not kept: see the class comment
    }

    @Override
    public boolean shared() {
        return true;
    }
}
