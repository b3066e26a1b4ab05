package dev.keel.raft.examples.kv.store;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HashTrieMapTest {

    @Test
    void randomOperationsAgreeWithHashMapAndOldVersionsNeverChange() {
        long seed = Long.getLong("keel.test.seed", System.nanoTime());
        System.out.println("HashTrieMapTest seed " + seed + " (replay with -Dkeel.test.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        HashTrieMap<byte[]> map = HashTrieMap.empty();
        Map<String, String> model = new HashMap<>();
        List<HashTrieMap<byte[]>> versions = new ArrayList<>();
        List<Map<String, String>> models = new ArrayList<>();
        for (int step = 0; step < 50_000; step++) {
            // Few distinct keys, so that updates and removals of present keys are frequent.
            String k = "k" + random.nextInt(3_000);
            int op = random.nextInt(10);
            if (op < 6) {
                String v = "v" + step;
                map = map.put(key(k), bytes(v));
                model.put(k, v);
            } else if (op < 9) {
                map = map.remove(key(k));
                model.remove(k);
            } else {
                assertThat(str(map.get(key(k)))).as("seed %d step %d get %s", seed, step, k).isEqualTo(model.get(k));
            }
            assertThat(map.size()).as("seed %d step %d size", seed, step).isEqualTo(model.size());
            if (step % 5_000 == 0) {
                versions.add(map);
                models.add(new HashMap<>(model));
            }
        }
        assertSameContents(map, model, seed);
        for (int i = 0; i < versions.size(); i++) {
            assertSameContents(versions.get(i), models.get(i), seed);
        }
    }

    @Test
    void keysWithEqualHashesAreKeptApartAndRemovedOneByOne() {
        // Arrays.hashCode uses the same polynomial as String: "Aa" and "BB" collide, and so do their concatenations.
        List<ByteKey> colliding = List.of(key("AaAa"), key("AaBB"), key("BBAa"), key("BBBB"));
        assertThat(colliding.stream().map(ByteKey::hashCode).distinct()).hasSize(1);
        HashTrieMap<byte[]> map = HashTrieMap.<byte[]>empty().put(key("other"), bytes("o"));
        for (ByteKey k : colliding) {
            map = map.put(k, k.bytes());
        }
        assertThat(map.size()).isEqualTo(5);
        for (ByteKey k : colliding) {
            assertThat(map.get(k)).isEqualTo(k.bytes());
        }
        HashTrieMap<byte[]> before = map;
        map = map.remove(colliding.get(1)).remove(colliding.get(3));
        assertThat(map.size()).isEqualTo(3);
        assertThat(map.get(colliding.get(1))).isNull();
        assertThat(map.get(colliding.get(0))).isEqualTo(colliding.get(0).bytes());
        assertThat(before.get(colliding.get(1))).isEqualTo(colliding.get(1).bytes());
        map = map.remove(colliding.get(0)).remove(colliding.get(2)).remove(key("other"));
        assertThat(map.size()).isZero();
        assertThat(map.get(colliding.get(2))).isNull();
    }

    @Test
    void removingAnAbsentKeyOrPuttingTheSameValueReturnsTheSameMap() {
        byte[] v = bytes("v");
        HashTrieMap<byte[]> map = HashTrieMap.<byte[]>empty().put(key("a"), v);
        assertThat(map.remove(key("b"))).isSameAs(map);
        assertThat(map.put(key("a"), v)).isSameAs(map);
    }

    @Test
    void aScanOverChangingVersionsVisitsEveryKeyPresentThroughoutExactlyOnce() {
        long seed = Long.getLong("keel.test.seed", System.nanoTime());
        System.out.println("HashTrieMapTest scan seed " + seed + " (replay with -Dkeel.test.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 20; round++) {
            HashTrieMap<byte[]> map = HashTrieMap.empty();
            int size = random.nextInt(1, 3_000);
            for (int i = 0; i < size; i++) {
                map = map.put(key("k" + i), bytes("v"));
            }
            // Keys 0..size/2 stay for the whole scan; the others may be removed, and new ones come, between calls.
            Set<String> stable = new HashSet<>();
            for (int i = 0; i <= size / 2; i++) {
                stable.add("k" + i);
            }
            Map<String, Integer> visits = new HashMap<>();
            long cursor = 0;
            int calls = 0;
            do {
                int count = random.nextInt(1, 50);
                int[] visited = {0};
                cursor = map.scan(cursor, count, (k, v) -> {
                    visits.merge(k.toString(), 1, Integer::sum);
                    visited[0]++;
                });
                // Only keys with equal hashes (none this small in practice) could push a call past its count.
                assertThat(visited[0]).as("seed %d", seed).isLessThanOrEqualTo(count + 4);
                for (int j = 0; j < 5; j++) {
                    map = map.put(key("new" + random.nextInt(10_000)), bytes("n"));
                    map = map.remove(key("k" + random.nextInt(size / 2 + 1, size + 1)));
                }
                calls++;
            } while (cursor != 0 && calls < 100_000);
            assertThat(cursor).as("seed %d: the scan ends", seed).isZero();
            for (String k : stable) {
                assertThat(visits.get(k)).as("seed %d: visits of %s", seed, k).isEqualTo(1);
            }
            assertThat(visits.values()).as("seed %d: no key twice", seed).allMatch(n -> n == 1);
        }
    }

    @Test
    void aScanVisitsKeysWithEqualHashesTogetherAndRefusesForeignCursors() {
        HashTrieMap<byte[]> map = HashTrieMap.empty();
        for (String k : List.of("AaAa", "AaBB", "BBAa", "BBBB", "x", "y")) {
            map = map.put(key(k), bytes(k));
        }
        List<String> seen = new ArrayList<>();
        long cursor = 0;
        do {
            cursor = map.scan(cursor, 1, (k, v) -> seen.add(k.toString()));
        } while (cursor != 0);
        assertThat(seen).containsExactlyInAnyOrder("AaAa", "AaBB", "BBAa", "BBBB", "x", "y");
        HashTrieMap<byte[]> m = map;
        assertThatThrownBy(() -> m.scan(-1, 10, (k, v) -> { })).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.scan(1L << 40, 10, (k, v) -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertSameContents(HashTrieMap<byte[]> map, Map<String, String> model, long seed) {
        Map<String, String> seen = new HashMap<>();
        map.forEach((k, v) -> assertThat(seen.put(k.toString(), str(v))).as("seed %d: %s twice", seed, k).isNull());
        assertThat(seen).as("seed %d", seed).isEqualTo(model);
        model.forEach((k, v) -> assertThat(str(map.get(key(k)))).isEqualTo(v));
    }

    private static ByteKey key(String s) {
        return ByteKey.of(s);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
