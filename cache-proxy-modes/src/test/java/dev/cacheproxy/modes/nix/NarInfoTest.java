package dev.cacheproxy.modes.nix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Narinfos, keys and nix32 against what Nix 2.8 itself wrote: a two-path closure pushed with
 * {@code nix copy --to file://...?secret-key=...} under a throw-away key made by
 * {@code nix-store --generate-binary-cache-key unit-test-1} (its secret half is only a test fixture).
 */
class NarInfoTest {
    static final String PUBLIC = "unit-test-1:E2ICLPrNGFG5OS2F1dNnlAQP/0Cbhyi6sCfurMe3ByE=";
    static final String SECRET = "unit-test-1:RG7rjs7FsRHGHDDpGEEHwHLhAEGnBc3xn6k+xerZ7XgTYgIs+s0YUbk5LYXV02eUBA//QJuHKLqwJ+6sx7cHIQ==";
    static final String UNSIGNED_TOP = """
            StorePath: /nix/store/j0g5w98ldmq39c8rpnrsmiz9q9fczval-cp-top
            URL: nar/08d7rvh80byzzwcmcg9f9xzygiabwkdrqwljhpx3q2p9zzfwb9mm.nar.xz
            Compression: xz
            FileHash: sha256:08d7rvh80byzzwcmcg9f9xzygiabwkdrqwljhpx3q2p9zzfwb9mm
            FileSize: 184
            NarHash: sha256:064ff3hs4xfbbknr19251l60w44gv8gnqaflgqbwb4c005f8rcw5
            NarSize: 176
            References: 0g0rbwwx8201rmifrfk2bgd5b13516xa-cp-dep
            Deriver: cpsf5siwvr59g9zgyrx0r06nmpfs1329-cp-top.drv
            """;
    static final String NIX_SIG = "unit-test-1:QqacBiYWho36EYEj3nDtC+RwRMPdQ6iI+378uP2ekH3K0nlRAkBkihrT1t7BfTYoqTG/mtM4Ridsd4HxfGltAw==";
    static final String TOP = UNSIGNED_TOP + "Sig: " + NIX_SIG + "\n";
    static final String DEP = """
            StorePath: /nix/store/0g0rbwwx8201rmifrfk2bgd5b13516xa-cp-dep
            URL: nar/1wq4m6h99hsn7ibcygqbys7n3x55v40qwk82sxwh0l05r8crkmzy.nar.xz
            Compression: xz
            FileHash: sha256:1wq4m6h99hsn7ibcygqbys7n3x55v40qwk82sxwh0l05r8crkmzy
            FileSize: 140
            NarHash: sha256:1y0q9wg872jhi9a58ygq1s8xnmm34ic5pvgygjwxayrza6pafvdk
            NarSize: 128
            References:\s
            Deriver: my3cw2whbmcggjr5bjic3ya9d9zdxxfr-cp-dep.drv
            Sig: unit-test-1:FWD8pRcFIemb50ctN+Ty/jpMB7IFj1t7S+Z/BI2co7F4fhR/14iSWZch97k5w9gSw0Pthcw+DVUqADFN63d5CQ==
            """;

    @Test
    void nix32_matchesNixHash() throws Exception {
        // nix-hash --type sha256 --to-base32 <hex>
        assertEquals("0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73", NarInfo.nix32Sha256(new byte[0]));
        assertEquals("094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic",
                NarInfo.nix32Sha256("hello".getBytes(StandardCharsets.UTF_8)));
        byte[] sha1 = HexFormat.of().parseHex("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
        assertEquals("9m1skbnr5i43n3yypvda5s65vhfwdx5a", NixBase32.encode(sha1));
        byte[] d = MessageDigest.getInstance("SHA-256").digest("hello".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(d, NixBase32.decode(NixBase32.encode(d), 32).orElseThrow());
        assertTrue(NixBase32.decode("094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwie", 32).isEmpty(), "e is not nix32");
        assertTrue(NixBase32.decode("094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwi", 32).isEmpty(), "too short");
        assertTrue(NixBase32.decode("z94qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic", 32).isEmpty(), "bits beyond 256");
        assertTrue(NixBase32.isStorePathHash("j0g5w98ldmq39c8rpnrsmiz9q9fczval"));
    }

    @Test
    void nixSignatures_verifyWithItsPublicKey_andTamperingBreaksThem() throws Exception {
        NixKeys.Trusted key = NixKeys.publicKey(PUBLIC).orElseThrow();
        assertTrue(NarInfo.parse(TOP).signedByAny(List.of(key)));
        assertTrue(NarInfo.parse(DEP).signedByAny(List.of(key)), "no references");
        assertFalse(NarInfo.parse(TOP.replace("NarSize: 176", "NarSize: 177")).signedByAny(List.of(key)));
        assertFalse(NarInfo.parse(TOP.replace("References: 0g0rbwwx", "References: 1g0rbwwx")).signedByAny(List.of(key)));
        assertFalse(NarInfo.parse(UNSIGNED_TOP).signedByAny(List.of(key)), "unsigned");
        NixKeys.Trusted other = NixKeys.publicKey("unit-test-1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]))
                .orElse(null);
        if (other != null) { // the all-zero point may be refused by the JDK; either way it signed nothing
            assertFalse(NarInfo.parse(TOP).signedByAny(List.of(other)));
        }
        assertEquals("1;/nix/store/j0g5w98ldmq39c8rpnrsmiz9q9fczval-cp-top;sha256:064ff3hs4xfbbknr19251l60w44gv8gnqaflgqbwb4c005f8rcw5;176;"
                + "/nix/store/0g0rbwwx8201rmifrfk2bgd5b13516xa-cp-dep", NarInfo.parse(TOP).fingerprint());
    }

    @Test
    void ourSignature_isTheOneNixMakes() throws Exception {
        NixKeys.Signing sk = NixKeys.secretKey(SECRET + "\n").orElseThrow();
        assertEquals(PUBLIC, sk.publicKey());
        // Ed25519 is deterministic: signing the unsigned record gives exactly Nix's Sig line
        assertEquals(TOP, NarInfo.parse(UNSIGNED_TOP).signedWith(sk));
        assertEquals(TOP, NarInfo.parse(TOP).signedWith(sk), "already signed by that key: unchanged");
        assertFalse(sk.toString().contains("RG7rjs"), "the secret never printed");
    }

    @Test
    void aSecretKeyWhosePublicHalfIsNotItsOwn_isRefused() {
        byte[] raw = java.util.Base64.getDecoder().decode(SECRET.substring(SECRET.indexOf(':') + 1));
        raw[40] ^= 1;
        assertTrue(NixKeys.secretKey("unit-test-1:" + java.util.Base64.getEncoder().encodeToString(raw)).isEmpty());
        assertTrue(NixKeys.secretKey(PUBLIC).isEmpty(), "a public key is not a secret key");
        assertTrue(NixKeys.publicKey("no-colon").isEmpty());
    }

    @Test
    void theNarFile_isNamedByItsHash() throws Exception {
        NarInfo top = NarInfo.parse(TOP);
        assertEquals("j0g5w98ldmq39c8rpnrsmiz9q9fczval", top.hashPart());
        assertEquals(HexFormat.of().formatHex(NixBase32.decode("08d7rvh80byzzwcmcg9f9xzygiabwkdrqwljhpx3q2p9zzfwb9mm", 32)
                .orElseThrow()), top.fileSha256());
        assertEquals(184, top.fileSize());
        NarInfo.Invalid e = assertThrows(NarInfo.Invalid.class, () -> NarInfo.parse(
                TOP.replace("URL: nar/08d7", "URL: nar/18d7")).fileSha256());
        assertTrue(e.getMessage().contains("FileHash is not the hash the URL names"), e.getMessage());
        e = assertThrows(NarInfo.Invalid.class, () -> NarInfo.parse(
                TOP.replace("URL: nar/", "URL: ../../etc/")).fileSha256());
        assertTrue(e.getMessage().contains("is not nar/"), e.getMessage());
    }

    @Test
    void brokenRecords_areRefusedWithTheReason() {
        assertTrue(assertThrows(NarInfo.Invalid.class, () -> NarInfo.parse(TOP.replace("StorePath: /nix/store/j0g5",
                "StorePath: /nix/store/e0g5"))).getMessage().contains("StorePath"));
        assertTrue(assertThrows(NarInfo.Invalid.class, () -> NarInfo.parse(TOP.replace("NarSize: 176", "NarSize: -1")))
                .getMessage().contains("NarSize"));
        assertTrue(assertThrows(NarInfo.Invalid.class, () -> NarInfo.parse(TOP.replace("NarHash: sha256:", "NarHash: md5:")))
                .getMessage().contains("NarHash"));
        assertTrue(assertThrows(NarInfo.Invalid.class, () -> NarInfo.parse("<html>nope</html>")).getMessage()
                .contains("not a narinfo line"));
        assertTrue(assertThrows(NarInfo.Invalid.class, () -> NarInfo.parse(TOP + "URL: nar/x\n")).getMessage()
                .contains("twice"));
    }
}
