package dev.cacheproxy.core.mode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.testing.MapConfigBlock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharedBlocksByteSizeTest {
    @Test
    void aSizeIsParsed_andAbsentGivesTheDefault() {
        MapConfigBlock b = new MapConfigBlock("instances[0].nix", Map.of("max_nar_size", "512MiB"));
        assertEquals(512L << 20, SharedBlocks.positiveByteSize(b, "max_nar_size", 7));
        assertEquals(7, SharedBlocks.positiveByteSize(b, "max_object_size", 7));
        assertTrue(b.problems().isEmpty(), b.problems().toString());
    }

    @Test
    void zeroAndNonsense_areErrorsNamingTheKey() {
        MapConfigBlock zero = new MapConfigBlock("instances[0].buildcache", Map.of("max_object_size", "0"));
        SharedBlocks.positiveByteSize(zero, "max_object_size", 7);
        assertEquals(1, zero.problems().size());
        assertTrue(zero.problems().get(0).contains("max_object_size") && zero.problems().get(0).contains("above 0"),
                zero.problems().toString());

        MapConfigBlock junk = new MapConfigBlock("instances[0].nix", Map.of("max_nar_size", "lots"));
        assertEquals(7, SharedBlocks.positiveByteSize(junk, "max_nar_size", 7));
        assertEquals(1, junk.problems().size());
        assertTrue(junk.problems().get(0).contains("max_nar_size"), junk.problems().toString());
    }
}
