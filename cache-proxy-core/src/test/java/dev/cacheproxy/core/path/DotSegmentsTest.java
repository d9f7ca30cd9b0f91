package dev.cacheproxy.core.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DotSegmentsTest {
    @ParameterizedTest(name = "[{0}] has a dot piece: {1}")
    @CsvSource(delimiter = '|', value = {
        ".|true",
        "..|true",
        "a/./b|true",
        "a/../b|true",
        "a\\..\\b|true",
        "a\\.|true",
        "../a|true",
        "a/..|true",
        "/.|true",
        "...|false",
        ".a|false",
        "a.|false",
        "..a|false",
        "a..|false",
        "a/.b/c.|false",
        "./x|true",
        "x//y|false",
        "/|false",
        "''|false",
        "name-1.0.tar.gz|false",
    })
    void findsADotOrDotDotBetweenSlashesOrBackslashes(String text, boolean expected) {
        assertEquals(expected, DotSegments.hasDotPiece(text));
    }
}
