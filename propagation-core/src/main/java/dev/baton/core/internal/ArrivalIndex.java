package dev.baton.core.internal;

import io.opentelemetry.api.trace.Span;

/**
 * {@link PendingSpans}' table for {@link PendingSpans.Order#ARRIVAL}: entries found by a
 * {@code long} key and kept in the order they came, as a {@code LinkedHashMap<Long, ...>} would,
 * without a boxed key or a map entry per span. Open addressing with linear probing (backward-shift
 * deletion, so no tombstones), at most half full; the arrival order is a list threaded through
 * the entries themselves. Not thread-safe (the owner's lock covers it).
 */
final class ArrivalIndex {

  /** One waiting span; {@code older}/{@code newer} link the arrival order. */
  static class Entry {
    final long key;
    final Object carrier;
    final Span span;
    Entry older;
    Entry newer;

    Entry(long key, Object carrier, Span span) {
      this.key = key;
      this.carrier = carrier;
      this.span = span;
    }
  }

  private long[] keys = new long[16];
  private Entry[] slots = new Entry[16];
  private int size;
  private Entry oldest;
  private Entry newest;

  int size() {
    return size;
  }

  Entry get(long key) {
    int i = find(key);
    return i < 0 ? null : slots[i];
  }

  /**
   * Adds {@code e} as the newest; an entry already under the same key is replaced in place (it
   * keeps its position in the arrival order, as in a {@code LinkedHashMap}) and returned.
   */
  Entry put(Entry e) {
    int i = find(e.key);
    if (i >= 0) {
      Entry displaced = slots[i];
      slots[i] = e;
      e.older = displaced.older;
      e.newer = displaced.newer;
      if (e.older == null) {
        oldest = e;
      } else {
        e.older.newer = e;
      }
      if (e.newer == null) {
        newest = e;
      } else {
        e.newer.older = e;
      }
      displaced.older = null;
      displaced.newer = null;
      return displaced;
    }
    if ((size + 1) * 2 > slots.length) {
      grow();
    }
    insert(e);
    size++;
    e.older = newest;
    e.newer = null;
    if (newest == null) {
      oldest = e;
    } else {
      newest.newer = e;
    }
    newest = e;
    return null;
  }

  /** Removes and returns the entry under {@code key}, or null. */
  Entry remove(long key) {
    int i = find(key);
    if (i < 0) {
      return null;
    }
    Entry e = slots[i];
    deleteSlot(i);
    size--;
    unlink(e);
    return e;
  }

  /** Removes {@code e} if it is still the entry under its key. */
  boolean remove(Entry e) {
    int i = find(e.key);
    if (i < 0 || slots[i] != e) {
      return false;
    }
    deleteSlot(i);
    size--;
    unlink(e);
    return true;
  }

  /** Removes and returns the oldest entry, or null when empty. */
  Entry removeOldest() {
    Entry e = oldest;
    if (e != null) {
      remove(e);
    }
    return e;
  }

  private void unlink(Entry e) {
    if (e.older == null) {
      oldest = e.newer;
    } else {
      e.older.newer = e.newer;
    }
    if (e.newer == null) {
      newest = e.older;
    } else {
      e.newer.older = e.older;
    }
    e.older = null;
    e.newer = null;
  }

  private int find(long key) {
    int mask = slots.length - 1;
    for (int i = home(key, mask); slots[i] != null; i = (i + 1) & mask) {
      if (keys[i] == key) {
        return i;
      }
    }
    return -1;
  }

  private void insert(Entry e) {
    int mask = slots.length - 1;
    int i = home(e.key, mask);
    while (slots[i] != null) {
      i = (i + 1) & mask;
    }
    keys[i] = e.key;
    slots[i] = e;
  }

  /** Empties slot {@code i} and moves later entries of the same probe run back into the gap. */
  private void deleteSlot(int i) {
    int mask = slots.length - 1;
    int gap = i;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      if (slots[j] == null) {
        break;
      }
      int h = home(keys[j], mask);
      // move j into the gap unless its home lies cyclically in (gap, j]
      boolean stays = gap <= j ? (gap < h && h <= j) : (gap < h || h <= j);
      if (!stays) {
        keys[gap] = keys[j];
        slots[gap] = slots[j];
        gap = j;
      }
    }
    slots[gap] = null;
    keys[gap] = 0;
  }

  private void grow() {
    Entry[] old = slots;
    keys = new long[old.length * 2];
    slots = new Entry[old.length * 2];
    for (Entry e : old) {
      if (e != null) {
        insert(e);
      }
    }
  }

  private static int home(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
