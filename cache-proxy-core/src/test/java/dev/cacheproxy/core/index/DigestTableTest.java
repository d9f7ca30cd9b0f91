package dev.cacheproxy.core.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The primitive set under the use table, against a HashMap doing the same random adds and removes. */
class DigestTableTest {
    @Test
    void randomAddsAndRemoves_agreeWithAMap_andSlotsStayPut() {
        Random random = new Random(42);
        DigestTable table = new DigestTable();
        Map<String, Integer> model = new HashMap<>();
        List<String> members = new ArrayList<>();
        for (int op = 0; op < 200_000; op++) {
            int tag = random.nextInt(3);
            byte[] digest = digest(random.nextInt(20_000));
            String id = tag + ":" + HexFormat.of().formatHex(digest);
            boolean removeOne = !members.isEmpty() && random.nextInt(100) < 45;
            if (removeOne) {
                String victim = members.remove(random.nextInt(members.size()));
                int slot = model.remove(victim);
                table.remove(slot);
                assertFalse(table.live(slot));
            } else if (model.containsKey(id)) {
                assertEquals(model.get(id), table.find(tag, digest), id);
            } else {
                assertEquals(-1, table.find(tag, digest), id);
                int slot = table.add(tag, digest);
                assertTrue(slot < table.capacity());
                model.put(id, slot);
                members.add(id);
            }
            assertEquals(model.size(), table.size());
        }
        for (Map.Entry<String, Integer> e : model.entrySet()) {
            int tag = Integer.parseInt(e.getKey().substring(0, 1));
            byte[] digest = HexFormat.of().parseHex(e.getKey().substring(2));
            assertEquals(e.getValue(), table.find(tag, digest), e.getKey());
            assertEquals(tag, table.tag(e.getValue()));
            assertArrayEquals(digest, table.digest(e.getValue()));
            assertTrue(table.live(e.getValue()));
        }
    }

    @Test
    void theSameDigestUnderTwoTags_isTwoMembers() {
        DigestTable table = new DigestTable();
        byte[] d = digest(7);
        int a = table.add(0, d);
        int b = table.add(1, d);
        assertTrue(a != b);
        table.remove(a);
        assertEquals(-1, table.find(0, d));
        assertEquals(b, table.find(1, d));
    }

    /** A SHA-256-like digest whose words share their low bits, so that probes collide and runs form. */
    private static byte[] digest(int n) {
        byte[] d = new byte[32];
        d[0] = (byte) (n >>> 8);
        d[1] = (byte) n;
        d[31] = (byte) (n * 31);
        return d;
    }
}
