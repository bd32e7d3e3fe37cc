package dev.baton.core.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which baggage keys may cross a boundary in one direction. Built from a list of entries: an exact
 * key, a prefix ending in {@code *} ({@code tenant.*}), or {@code *} alone for every key. An empty
 * list lets nothing through. Immutable.
 *
 * <p>Part of Baton's internal machinery: no compatibility promise.
 */
public final class BaggageFilter {

  /** Lets every key through: the default in both directions. */
  public static final BaggageFilter ALL = new BaggageFilter(Set.of(), List.of(), true);
  static final BaggageFilter NONE = new BaggageFilter(Set.of(), List.of(), false);

  private final Set<String> exact;
  private final List<String> prefixes;
  private final boolean all;

  private BaggageFilter(Set<String> exact, List<String> prefixes, boolean all) {
    this.exact = exact;
    this.prefixes = prefixes;
    this.all = all;
  }

  /**
   * Returns the filter for an allow-list.
   *
   * @param entries exact keys, prefixes ending in {@code *}, or {@code *}; blank ones are skipped
   * @return the filter
   */
  public static BaggageFilter of(List<String> entries) {
    Set<String> exact = new LinkedHashSet<>();
    List<String> prefixes = new ArrayList<>();
    for (String e : entries) {
      String t = e.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (t.equals("*")) {
        return ALL;
      }
      if (t.endsWith("*")) {
        prefixes.add(t.substring(0, t.length() - 1));
      } else {
        exact.add(t);
      }
    }
    if (exact.isEmpty() && prefixes.isEmpty()) {
      return NONE;
    }
    return new BaggageFilter(Set.copyOf(exact), List.copyOf(prefixes), false);
  }

  boolean allowsAll() {
    return all;
  }

  boolean allowsNone() {
    return !all && exact.isEmpty() && prefixes.isEmpty();
  }

  boolean allows(String key) {
    if (all) {
      return true;
    }
    if (exact.contains(key)) {
      return true;
    }
    for (int i = 0; i < prefixes.size(); i++) {
      if (key.startsWith(prefixes.get(i))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    if (all) {
      return "*";
    }
    List<String> parts = new ArrayList<>(exact);
    for (String p : prefixes) {
      parts.add(p + "*");
    }
    return String.join(",", parts);
  }
}
