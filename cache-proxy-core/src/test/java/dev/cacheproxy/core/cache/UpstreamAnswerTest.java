package dev.cacheproxy.core.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a fill does with each upstream answer, as a table (the engine's I/O carries it out). */
class UpstreamAnswerTest {
    @ParameterizedTest(name = "{0} revalidating={1} sameValidators={2} -> {3}")
    @CsvSource({
        // a first fetch
        "200, false, false, STORE",
        "304, false, false, PASS_THROUGH",
        "404, false, false, MISSING",
        "410, false, false, MISSING",
        "401, false, false, PASS_THROUGH",
        "403, false, false, PASS_THROUGH",
        "429, false, false, PASS_THROUGH",
        "500, false, false, FAILED",
        "502, false, false, FAILED",
        "503, false, false, FAILED",
        // revalidating a stored copy
        "304, true, false, UNCHANGED",
        "200, true, true, UNCHANGED",
        "200, true, false, STORE",
        "404, true, false, MISSING",
        "429, true, false, FAILED",
        "503, true, false, FAILED",
        "403, true, false, PASS_THROUGH",
    })
    void classify(int status, boolean revalidating, boolean same, UpstreamAnswer expected) {
        assertEquals(expected, UpstreamAnswer.classify(status, revalidating, same));
    }
}
