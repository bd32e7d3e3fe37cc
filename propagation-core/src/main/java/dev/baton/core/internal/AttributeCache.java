package dev.baton.core.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The attribute sets of one instrument, built once per destination (and consumer group) and
 * reused for every message. Bounded by construction: at most {@link #MAX} sets are kept; past
 * that, new destinations are recorded without {@code messaging.destination.name} (one shared set
 * per group), and Baton says once, at WARNING, that destination names are too many to be metric
 * attributes. Thread-safe; the per-message path is two reference comparisons when the
 * destination is the one asked for last, else one or two map reads.
 *
 * <p>Part of Baton's internal machinery: no compatibility promise.
 */
final class AttributeCache {

  /** The most attribute sets one instrument keeps; also the most series it makes per group. */
  static final int MAX = 500;

  private static final Logger LOG = Logger.getLogger("dev.baton.core");
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  /** Stands for "no group" and "no destination" as map keys. */
  private static final String NONE = "";

  private final Attributes base;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Attributes>> byGroup =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Attributes> withoutDestination = new ConcurrentHashMap<>();
  private volatile int size;
  /**
   * The set handed out last, with the two names it was asked by: a consumer or publisher mostly
   * asks for one destination again and again, with the same string instances, so a hit costs two
   * reference comparisons instead of two map reads. Immutable; a stale read only means a miss.
   */
  private Hit last;

  private record Hit(String destination, String group, Attributes attributes) {}

  /** @param base the attributes every set carries (system, operation name and type) */
  AttributeCache(Attributes base) {
    this.base = base;
  }

  /**
   * The set for {@code destination} (left out when {@code null}) and {@code group} (left out
   * when {@code null}).
   */
  Attributes get(String destination, String group) {
    Hit hit = last;
    if (hit != null && hit.destination() == destination && hit.group() == group) {
      return hit.attributes();
    }
    Attributes a = lookUp(destination, group);
    last = new Hit(destination, group, a);
    return a;
  }

  private Attributes lookUp(String destination, String group) {
    String g = group == null ? NONE : group;
    if (destination == null) {
      return withoutDestination(g);
    }
    ConcurrentHashMap<String, Attributes> sets = byGroup.get(g);
    if (sets != null) {
      Attributes a = sets.get(destination);
      if (a != null) {
        return a;
      }
    }
    return add(destination, g);
  }

  private Attributes withoutDestination(String g) {
    Attributes a = withoutDestination.get(g);
    if (a == null) {
      a = withoutDestination.computeIfAbsent(g, k -> build(null, k));
    }
    return a;
  }

  private synchronized Attributes add(String destination, String g) {
    ConcurrentHashMap<String, Attributes> sets = byGroup.get(g);
    Attributes a = sets == null ? null : sets.get(destination);
    if (a != null) {
      return a;
    }
    if (size >= MAX) {
      if (LOG.isLoggable(Level.WARNING) && WARNED.compareAndSet(false, true)) {
        LOG.warning("Baton: more than " + MAX + " destinations on one metric; later ones are"
            + " recorded without messaging.destination.name. Destination names made per message"
            + " (generated queues, per-entity topics) should not reach metrics: declare such"
            + " queues server-named, exclusive or auto-delete (logged once per JVM)");
      }
      return withoutDestination(g);
    }
    a = build(destination, g);
    byGroup.computeIfAbsent(g, k -> new ConcurrentHashMap<>()).put(destination, a);
    size++;
    return a;
  }

  private Attributes build(String destination, String g) {
    AttributesBuilder b = base.toBuilder();
    put(b, SemConv.MESSAGING_DESTINATION_NAME, destination);
    put(b, SemConv.MESSAGING_CONSUMER_GROUP_NAME, g.isEmpty() ? null : g);
    return b.build();
  }

  private static void put(
      AttributesBuilder b, AttributeKey<String> key, String value) {
    if (value != null) {
      b.put(key, value);
    }
  }

  /** How many sets with a destination are kept, for tests. */
  int size() {
    return size;
  }
}
