package dev.cacheproxy.modes.nix;

import dev.cacheproxy.core.digest.DigestAlgorithm;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code .narinfo}: the record that says a store path is in a binary cache, where its NAR is
 * ({@code URL}), what that file's SHA-256 and size are ({@code FileHash}, {@code FileSize}), what the
 * unpacked NAR's are ({@code NarHash}, {@code NarSize}), its references and signatures. The lines are kept
 * as they came (a served narinfo is the upstream's, plus at most this cache's {@code Sig}).
 *
 * <p>What this cache requires beyond Nix's own parser: a SHA-256 {@code FileHash} and a {@code URL} of the
 * form every Nix-written cache uses, {@code nar/<FileHash in nix32>.nar[.<ext>]}, so that a NAR request
 * names the digest its body is verified against.
 */
final class NarInfo {
    private static final Pattern STORE_PATH = Pattern.compile("(/[^;,\\s]*)/([0-9a-df-np-sv-z]{32})-([A-Za-z0-9+\\-._?=]+)");
    private static final Pattern NAR_URL = Pattern.compile("nar/([0-9a-df-np-sv-z]{52})\\.nar(\\.[a-z0-9]+)?");

    private final String text;
    private final Map<String, String> fields;
    private final List<String> sigs;
    private final String storeDir;
    private final String hashPart;

    private NarInfo(String text, Map<String, String> fields, List<String> sigs, String storeDir, String hashPart) {
        this.text = text;
        this.fields = fields;
        this.sigs = sigs;
        this.storeDir = storeDir;
        this.hashPart = hashPart;
    }

    /** A narinfo that cannot be used, with the reason. */
    static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason);
        }
    }

    static NarInfo parse(String text) throws Invalid {
        Map<String, String> fields = new LinkedHashMap<>();
        List<String> sigs = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new Invalid("not a narinfo line: " + abbreviate(line));
            }
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            if (name.equals("Sig")) {
                sigs.add(value);
            } else if (fields.putIfAbsent(name, value) != null) {
                throw new Invalid(name + " appears twice");
            }
        }
        for (String required : List.of("StorePath", "URL", "NarHash", "NarSize")) {
            if (!fields.containsKey(required)) {
                throw new Invalid("no " + required);
            }
        }
        Matcher m = STORE_PATH.matcher(fields.get("StorePath"));
        if (!m.matches()) {
            throw new Invalid("StorePath is not a store path: " + abbreviate(fields.get("StorePath")));
        }
        NarInfo info = new NarInfo(text, fields, List.copyOf(sigs), m.group(1), m.group(2));
        info.narHash(); // checks it
        info.number("NarSize");
        if (fields.containsKey("FileSize")) {
            info.number("FileSize");
        }
        return info;
    }

    /** The 32-character hash part of the store path: the narinfo's name is {@code <hashPart>.narinfo}. */
    String hashPart() {
        return hashPart;
    }

    String storePath() {
        return fields.get("StorePath");
    }

    String url() {
        return fields.get("URL");
    }

    List<String> sigs() {
        return sigs;
    }

    /** The store paths this one references, as full paths. */
    List<String> references() {
        String refs = fields.getOrDefault("References", "").strip();
        List<String> out = new ArrayList<>();
        if (!refs.isEmpty()) {
            for (String r : refs.split("\\s+")) {
                out.add(storeDir + "/" + r);
            }
        }
        return out;
    }

    /**
     * The SHA-256 of the NAR file as lowercase hex, when {@code URL} is {@code nar/<nix32 FileHash>.nar[.ext]}
     * and {@code FileHash} is that SHA-256: the digest a request for the URL is verified against.
     */
    String fileSha256() throws Invalid {
        Matcher m = NAR_URL.matcher(url());
        if (!m.matches()) {
            throw new Invalid("URL " + abbreviate(url()) + " is not nar/<file hash>.nar[.ext] (the layout Nix writes)");
        }
        String fileHash = fields.get("FileHash");
        if (fileHash == null) {
            throw new Invalid("no FileHash");
        }
        byte[] digest = sha256(fileHash, "FileHash");
        if (!NixBase32.encode(digest).equals(m.group(1))) {
            throw new Invalid("FileHash is not the hash the URL names");
        }
        return HexFormat.of().formatHex(digest);
    }

    /** {@code FileSize}, or -1 when absent. */
    long fileSize() throws Invalid {
        return fields.containsKey("FileSize") ? number("FileSize") : -1;
    }

    /** The unpacked NAR's SHA-256 and size, as the narinfo states them (what its signatures cover). */
    record NarDigest(byte[] sha256, long size) {}

    NarDigest narDigest() throws Invalid {
        return new NarDigest(narHash(), number("NarSize"));
    }

    /** What the signatures sign: {@code 1;<StorePath>;sha256:<nix32 NarHash>;<NarSize>;<references, comma-joined>}. */
    String fingerprint() throws Invalid {
        return "1;" + storePath() + ";sha256:" + NixBase32.encode(narHash()) + ";" + number("NarSize") + ";"
                + String.join(",", references());
    }

    /** Whether one of {@code keys} signed this narinfo. */
    boolean signedByAny(List<NixKeys.Trusted> keys) throws Invalid {
        String fp = fingerprint();
        for (NixKeys.Trusted k : keys) {
            if (k.signed(fp, sigs)) {
                return true;
            }
        }
        return false;
    }

    /** The text with {@code key}'s signature added (or unchanged when it already carries one by that name). */
    String signedWith(NixKeys.Signing key) throws Invalid {
        for (String s : sigs) {
            if (s.startsWith(key.name() + ":")) {
                return text;
            }
        }
        String base = text.endsWith("\n") ? text : text + "\n";
        return base + "Sig: " + key.sign(fingerprint()) + "\n";
    }

    String text() {
        return text;
    }

    private byte[] narHash() throws Invalid {
        return sha256(fields.get("NarHash"), "NarHash");
    }

    /** A SHA-256 written {@code sha256:<nix32>}, {@code sha256:<hex>} or {@code sha256-<base64>} (SRI). */
    private static byte[] sha256(String value, String field) throws Invalid {
        try {
            if (value.startsWith("sha256:")) {
                String h = value.substring(7);
                if (h.length() == 64) {
                    return HexFormat.of().parseHex(h);
                }
                Optional<byte[]> d = NixBase32.decode(h, 32);
                if (d.isPresent()) {
                    return d.get();
                }
            } else if (value.startsWith("sha256-")) {
                byte[] d = Base64.getDecoder().decode(value.substring(7));
                if (d.length == 32) {
                    return d;
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the refusal
        }
        throw new Invalid(field + " is not a SHA-256: " + abbreviate(value));
    }

    private long number(String field) throws Invalid {
        try {
            long n = Long.parseLong(fields.get(field));
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal
        }
        throw new Invalid(field + " is not a size: " + abbreviate(fields.get(field)));
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** SHA-256 of {@code bytes} in nix32, for tests and the push path's checks. */
    static String nix32Sha256(byte[] bytes) {
        return NixBase32.encode(DigestAlgorithm.SHA256.newMessageDigest().digest(bytes));
    }
}
