package dev.cacheproxy.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {
    @ParameterizedTest
    @CsvSource({"30s,30000", "5m,300000", "24h,86400000", "1h30m,5400000", "1.5h,5400000", "250ms,250", "0,0",
        "-1h,-3600000", "2h45m30s,9930000"})
    void goDuration_parsesGoSyntax(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), GoDuration.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "10", "5 m", "1d", "h", "1.2.3s"})
    void goDuration_rejectsJunk(String text) {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
    }

    @Test
    void expiration_neverSpellingsAndZero() {
        for (String s : new String[] {"never", "none", "infinite", "0", "NEVER"}) {
            assertTrue(Expiration.parse(s).isNever(), s);
        }
        assertEquals(Duration.ofHours(720), Expiration.parse("720h").maxAge());
        assertThrows(IllegalArgumentException.class, () -> Expiration.parse("-1h"));
        assertThrows(IllegalArgumentException.class, () -> Expiration.parse("abc"));
    }

    @Test
    void freshness_foreverSpellingsAndZero() {
        for (String s : new String[] {"forever", "always", "infinite", "0"}) {
            assertTrue(Freshness.parse(s).forever(), s);
        }
        assertEquals(Duration.ofMinutes(5), Freshness.parse("5m").window());
        assertThrows(IllegalArgumentException.class, () -> Freshness.parse("-5m"));
        assertThrows(IllegalArgumentException.class, () -> Freshness.parse("soon"));
    }
}
