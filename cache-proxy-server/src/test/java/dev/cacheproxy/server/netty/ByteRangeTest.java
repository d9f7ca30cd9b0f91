package dev.cacheproxy.server.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9110 §14 single ranges against a 1000-byte body. */
class ByteRangeTest {
    private static final long SIZE = 1000;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "null              | whole",
            "bytes=0-99        | 0-99",
            "bytes=100-        | 100-999",
            "bytes=-100        | 900-999",
            "bytes=-5000       | 0-999",
            "bytes=990-5000    | 990-999",
            "BYTES=1-1         | 1-1",
            "bytes=999-        | 999-999",
            "bytes=1000-       | unsatisfiable",
            "bytes=5000-6000   | unsatisfiable",
            "bytes=-0          | unsatisfiable",
            "bytes=5-1         | whole",
            "bytes=0-1,5-6     | whole",
            "bytes=abc         | whole",
            "items=0-1         | whole",
            "bytes=-           | whole",
    })
    void parse(String header, String expected) {
        ByteRange r = ByteRange.parse(header, SIZE);
        String actual = switch (r) {
            case ByteRange.Whole w -> "whole";
            case ByteRange.Unsatisfiable u -> "unsatisfiable";
            case ByteRange.Part p -> p.first() + "-" + p.last();
        };
        assertEquals(expected, actual);
    }
}
