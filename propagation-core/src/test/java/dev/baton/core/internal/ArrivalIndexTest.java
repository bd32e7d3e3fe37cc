package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ArrivalIndex} behaves exactly as the {@code LinkedHashMap<Long, ...>} it replaces: same
 * look-ups, same displaced entries, same arrival order, over random operations on few keys (so
 * probe runs collide, wrap around and shift back) and many.
 */
class ArrivalIndexTest {

  @Test
  void matchesALinkedHashMapOverRandomOperations() {
    for (int keys : new int[] {8, 64, 5000}) {
      Random r = new Random(keys);
      ArrivalIndex index = new ArrivalIndex();
      Map<Long, ArrivalIndex.Entry> model = new LinkedHashMap<>();
      for (int step = 0; step < 200_000; step++) {
        long key = r.nextInt(keys) * (r.nextBoolean() ? 1L : 0x1_0000_0000L);
        int op = r.nextInt(10);
        if (op < 5) {
          ArrivalIndex.Entry e = new ArrivalIndex.Entry(key, null, null);
          ArrivalIndex.Entry expected = model.get(key);
          if (expected == null) {
            model.put(key, e);
          } else {
            model.replace(key, e);
          }
          assertThat(index.put(e)).isSameAs(expected);
        } else if (op < 8) {
          assertThat(index.remove(key)).isSameAs(model.remove(key));
        } else if (op < 9) {
          ArrivalIndex.Entry expected =
              model.isEmpty() ? null : model.remove(model.keySet().iterator().next());
          assertThat(index.removeOldest()).isSameAs(expected);
        } else {
          assertThat(index.get(key)).isSameAs(model.get(key));
        }
        assertThat(index.size()).isEqualTo(model.size());
      }
      List<ArrivalIndex.Entry> drained = new ArrayList<>();
      for (ArrivalIndex.Entry e = index.removeOldest(); e != null; e = index.removeOldest()) {
        drained.add(e);
      }
      assertThat(drained).containsExactlyElementsOf(model.values());
    }
  }
}
