package dev.cacheproxy.server.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.core.http.Headers;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decisions of one instance's rules: networks, tokens in every spelling, TLS subjects, scopes, token files. */
class AccessControlTest {
    @TempDir
    Path dir;

    private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();

    private static AccessSettings.Principal token(String name, AccessSettings.Scope scope, String token) {
        return new AccessSettings.Principal(name, scope, Optional.of(AccessControl.sha256Hex(token)), Optional.empty(),
                Optional.empty());
    }

    private static Headers auth(String value) {
        return Headers.of("Authorization", value);
    }

    @Test
    void tokensAsBearerBasicOrBare_scopesDecide_andAnonymousGetsTheDefault() {
        AccessControl ac = new AccessControl("t", new AccessSettings(AccessSettings.Scope.NONE, List.of(), List.of(
                token("reader", AccessSettings.Scope.READ, "r-token"), token("ci", AccessSettings.Scope.WRITE, "w-token"))));
        assertEquals(new AccessControl.Decision.Allowed("reader"), ac.check(auth("Bearer r-token"), LOCAL, null, false));
        String basic = Base64.getEncoder().encodeToString("anyone:r-token".getBytes(StandardCharsets.UTF_8));
        assertEquals(new AccessControl.Decision.Allowed("reader"), ac.check(auth("Basic " + basic), LOCAL, null, false));
        assertEquals(new AccessControl.Decision.Allowed("ci"), ac.check(auth("w-token"), LOCAL, null, true), "cargo's bare token");
        assertEquals(403, ((AccessControl.Decision.Refused) ac.check(auth("Bearer r-token"), LOCAL, null, true)).status(),
                "a read-only token cannot write");
        assertEquals(401, ((AccessControl.Decision.Refused) ac.check(auth("Bearer nope"), LOCAL, null, false)).status());
        assertEquals(401, ((AccessControl.Decision.Refused) ac.check(Headers.of(), LOCAL, null, false)).status(),
                "anonymous: none");
        AccessControl open = new AccessControl("o", new AccessSettings(AccessSettings.Scope.READ, List.of(), List.of(
                token("ci", AccessSettings.Scope.WRITE, "w-token"))));
        assertEquals(new AccessControl.Decision.Allowed("anonymous"), open.check(Headers.of(), LOCAL, null, false));
        assertEquals(401, ((AccessControl.Decision.Refused) open.check(Headers.of(), LOCAL, null, true)).status());
    }

    @Test
    void networksComeFirst_andATlsSubjectIsAPrincipal() throws Exception {
        AccessControl ac = new AccessControl("t", new AccessSettings(AccessSettings.Scope.NONE, List.of("10.0.0.0/8"), List.of(
                new AccessSettings.Principal("runner", AccessSettings.Scope.WRITE, Optional.empty(), Optional.empty(),
                        Optional.of("CN=ci-runner-7")))));
        InetAddress inside = InetAddress.getByName("10.1.2.3");
        assertEquals(403, ((AccessControl.Decision.Refused) ac.check(Headers.of(), LOCAL, "CN=ci-runner-7", false)).status());
        assertEquals(new AccessControl.Decision.Allowed("runner"), ac.check(Headers.of(), inside, "CN=ci-runner-7", true));
        assertEquals(401, ((AccessControl.Decision.Refused) ac.check(Headers.of(), inside, "CN=someone-else", false)).status());
    }

    @Test
    void rateLimit_aBurstThenTheRefillRate_perPrincipalOrPerAddress() throws Exception {
        long[] now = {0};
        AccessSettings.RateLimit twoPerSecond = new AccessSettings.RateLimit(2, 3, false);
        AccessControl ac = new AccessControl("t", new AccessSettings(AccessSettings.Scope.READ, List.of(),
                List.of(token("ci", AccessSettings.Scope.READ, "t1")), Optional.of(twoPerSecond)), () -> now[0]);
        for (int i = 0; i < 3; i++) {
            assertEquals(new AccessControl.Decision.Allowed("ci"), ac.check(auth("Bearer t1"), LOCAL, null, false));
        }
        AccessControl.Decision.Refused limited = (AccessControl.Decision.Refused) ac.check(auth("Bearer t1"), LOCAL, null, false);
        assertEquals(429, limited.status());
        assertEquals(1, limited.retryAfterSeconds());
        assertEquals(new AccessControl.Decision.Allowed("anonymous"), ac.check(Headers.of(), LOCAL, null, false),
                "anonymous clients count per address, apart from the principal");
        now[0] += 500_000_000L; // half a second: one token back
        assertEquals(new AccessControl.Decision.Allowed("ci"), ac.check(auth("Bearer t1"), LOCAL, null, false));
        assertEquals(429, ((AccessControl.Decision.Refused) ac.check(auth("Bearer t1"), LOCAL, null, false)).status());
    }

    @Test
    void aTokenFileIsReadAgainWhenItChanges_soRevokingIsEditingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("ci.token"), "first-token\n");
        AccessControl ac = new AccessControl("t", new AccessSettings(AccessSettings.Scope.NONE, List.of(), List.of(
                new AccessSettings.Principal("ci", AccessSettings.Scope.READ, Optional.empty(), Optional.of(file),
                        Optional.empty()))));
        assertEquals(new AccessControl.Decision.Allowed("ci"), ac.check(auth("Bearer first-token"), LOCAL, null, false));
        Files.writeString(file, "second-token\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        assertEquals(401, ((AccessControl.Decision.Refused) ac.check(auth("Bearer first-token"), LOCAL, null, false)).status(),
                "the old token is revoked");
        assertEquals(new AccessControl.Decision.Allowed("ci"), ac.check(auth("Bearer second-token"), LOCAL, null, false));
    }
}
