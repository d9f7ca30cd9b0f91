package dev.cacheproxy.modes.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ChallengeTest {
    @Test
    void bearerWithQuotedParameters() {
        Challenge c = Challenge.parse("Bearer realm=\"https://auth.example.test/token\",service=\"registry.example.test\","
                + "scope=\"repository:library/alpine:pull,push\"").orElseThrow();
        assertEquals("bearer", c.scheme());
        assertEquals(Map.of("realm", "https://auth.example.test/token", "service", "registry.example.test",
                "scope", "repository:library/alpine:pull,push"), c.params());
    }

    @Test
    void escapesUnquotedValuesSpacesAndCase() {
        Challenge c = Challenge.parse("BASIC  Realm=\"say \\\"hi\\\"\", charset=UTF-8").orElseThrow();
        assertEquals("basic", c.scheme());
        assertEquals("say \"hi\"", c.param("realm"));
        assertEquals("UTF-8", c.param("charset"));
        assertEquals("", c.param("scope"));
    }
}
