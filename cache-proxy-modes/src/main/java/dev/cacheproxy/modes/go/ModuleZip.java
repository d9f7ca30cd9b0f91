package dev.cacheproxy.modes.go;

import dev.cacheproxy.core.cache.FileCheck;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * What a module's files must be before they are stored: a zip whose every entry is below
 * {@code <module>@<version>/}, and whose {@code h1:} hash (the go command's {@code dirhash.Hash1}: the
 * SHA-256 of the sorted lines {@code "<sha256 hex>  <name>\n"}, base64) is the one the checksum
 * database states, when it states one; a {@code go.mod} whose hash (the same, over one file named
 * {@code go.mod}) is the one stated for {@code <version>/go.mod}.
 */
final class ModuleZip {
    private ModuleZip() {}

    /** The check of a zip of {@code module}@{@code version} (unescaped), against {@code h1} when known. */
    static FileCheck zipCheck(String module, String version, Optional<String> h1) {
        String prefix = module + "@" + version + "/";
        return file -> {
            List<String> names = new ArrayList<>();
            try (ZipFile zip = new ZipFile(file.toFile())) {
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (!name.startsWith(prefix) || name.contains("\n") || name.contains("/../") || name.endsWith("/..")) {
                        return Optional.of("not a zip of " + module + "@" + version + ": entry '" + name + "'");
                    }
                    names.add(name);
                }
                if (names.isEmpty()) {
                    return Optional.of("an empty zip is no module");
                }
                if (h1.isEmpty()) {
                    return Optional.empty();
                }
                Collections.sort(names);
                MessageDigest summary = sha256();
                for (String name : names) {
                    try (InputStream in = zip.getInputStream(zip.getEntry(name))) {
                        MessageDigest md = sha256();
                        byte[] buf = new byte[64 * 1024];
                        for (int n; (n = in.read(buf)) >= 0; ) {
                            md.update(buf, 0, n);
                        }
                        summary.update((HexFormat.of().formatHex(md.digest()) + "  " + name + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                    }
                }
                String actual = "h1:" + Base64.getEncoder().encodeToString(summary.digest());
                return actual.equals(h1.get()) ? Optional.empty()
                        : Optional.of("the zip's hash " + actual + " is not the checksum database's " + h1.get());
            } catch (ZipException e) {
                return Optional.of("not a zip: " + e.getMessage());
            }
        };
    }

    /** The check of a {@code .mod} against the {@code <version>/go.mod} hash, when known. */
    static FileCheck modCheck(Optional<String> h1) {
        if (h1.isEmpty()) {
            return FileCheck.NONE;
        }
        return file -> {
            String actual = h1OfGoMod(file);
            return actual.equals(h1.get()) ? Optional.empty()
                    : Optional.of("the go.mod's hash " + actual + " is not the checksum database's " + h1.get());
        };
    }

    static String h1OfGoMod(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
            }
        }
        String line = HexFormat.of().formatHex(md.digest()) + "  go.mod\n";
        return "h1:" + Base64.getEncoder().encodeToString(sha256().digest(line.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        return DigestAlgorithm.SHA256.newMessageDigest();
    }
}
