package dev.cacheproxy.modes.deb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The parts of a Debian {@code Release} / {@code InRelease} file the proxy needs: the {@code SHA256}
 * list of index files (name relative to the distribution directory, size, hash), whether the archive
 * serves {@code by-hash} paths, and {@code Valid-Until}. An InRelease's clear-signature armour is
 * stripped (and its dash-escaping undone); the signature itself is the client's to check.
 */
record ReleaseFile(Map<String, Listed> sha256, boolean acquireByHash, Optional<Instant> validUntil) {
    /** Root files beyond this are refused: Debian's and Ubuntu's are a few hundred KiB. */
    static final long MAX_BYTES = 16L * 1024 * 1024;
    /** Compiled once: a Debian Release lists a few thousand files, parsed at every first contact and refresh. */
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss zzz", Locale.ENGLISH);

    /** One listed file: its size and lower-case SHA-256. */
    record Listed(long size, String sha256) {}

    /** Reads (and closes) a root file of at most {@link #MAX_BYTES}. */
    static ReleaseFile read(InputStream in) throws IOException {
        byte[] bytes;
        try (in) {
            bytes = in.readNBytes((int) MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IOException("the Release file is larger than " + MAX_BYTES + " bytes");
        }
        return parse(new String(bytes, StandardCharsets.UTF_8));
    }

    static ReleaseFile parse(String text) throws IOException {
        String body = stripClearSignature(text);
        Map<String, String> fields = new LinkedHashMap<>();
        try (InputStream in = new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))) {
            ControlStanzas.forEach(in, Set.of("sha256", "acquire-by-hash", "valid-until"), s -> {
                if (fields.isEmpty()) {
                    fields.putAll(s);
                }
            });
        }
        Map<String, Listed> sums = new LinkedHashMap<>();
        for (String line : fields.getOrDefault("sha256", "").split("\n")) {
            String[] parts = SPACES.split(line.trim());
            if (parts.length == 3 && HEX64.matcher(parts[0]).matches()) {
                sums.put(parts[2], new Listed(Long.parseLong(parts[1]), parts[0].toLowerCase(Locale.ROOT)));
            }
        }
        boolean byHash = fields.getOrDefault("acquire-by-hash", "").trim().equalsIgnoreCase("yes");
        return new ReleaseFile(sums, byHash, date(fields.get("valid-until")));
    }

    private static Optional<Instant> date(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZonedDateTime.parse(text.trim(), DATE).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The signed text of a clear-signed message; any other text as it is. */
    static String stripClearSignature(String text) {
        if (!text.startsWith("-----BEGIN PGP SIGNED MESSAGE-----")) {
            return text;
        }
        List<String> out = new ArrayList<>();
        boolean inBody = false;
        for (String line : text.split("\r?\n", -1)) {
            if (!inBody) {
                inBody = line.isEmpty(); // armor headers (Hash: ...) end at the first empty line
                continue;
            }
            if (line.startsWith("-----BEGIN PGP SIGNATURE-----")) {
                break;
            }
            out.add(line.startsWith("- ") ? line.substring(2) : line);
        }
        return String.join("\n", out) + "\n";
    }
}
