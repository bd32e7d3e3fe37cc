package dev.baton.core.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Started spans waiting for a later callback to end them: the broker's answer to a Kafka send,
 * the publisher confirm of a RabbitMQ publish. Each span is filed under a {@code long} key the
 * callback brings back (a span id, a publish sequence number) and, optionally, under the carrier
 * object the callback may hand back instead (found by identity, not by {@code equals}).
 *
 * <p>Bounded: when {@code max} spans wait, adding one more takes out the oldest and hands it back,
 * to be ended at once with {@link #endEarly(Span, String)}, so a callback that never comes (a
 * broker gone for good, a chain of interceptors that drops it) cannot grow memory. A second span
 * under a key already held takes its place, and the first is handed back the same way.
 *
 * <p>"Oldest" is the first added ({@link Order#ARRIVAL}) or the lowest key ({@link Order#KEY},
 * which also allows taking every span up to a key, as a cumulative acknowledgement does).
 *
 * <p>A span taken out of the table is the caller's to end: the table never ends a span itself,
 * so each span ends exactly once, by whoever took it. Not thread-safe: the callbacks come from
 * other threads than the adds, so the caller holds one lock around every call, and ends the spans
 * it took after releasing it.
 *
 * <p>Part of Baton's internal machinery: no compatibility promise.
 */
public final class PendingSpans {

  /** Which waiting span is the oldest. */
  public enum Order {
    /** The first one added. */
    ARRIVAL,
    /** The one with the lowest key. */
    KEY
  }

  private final int max;
  private final Order order;
  private final AttributeKey<Boolean> endedEarly;
  /** {@link Order#KEY} only. */
  private final TreeMap<Long, Pending> sorted;
  /** {@link Order#ARRIVAL} only: no boxed key, no map entry per span. */
  private final ArrivalIndex arrival;
  /** Only for spans added with a carrier. */
  private final IdentityHashMap<Object, Pending> byCarrier = new IdentityHashMap<>();

  /**
   * Makes an empty table.
   *
   * @param max the most spans that wait at once, at least 1
   * @param order which span is the oldest
   * @param endedEarly the attribute {@link #endEarly(Span, String)} sets to {@code true}
   */
  public PendingSpans(int max, Order order, AttributeKey<Boolean> endedEarly) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1: " + max);
    }
    this.max = max;
    this.order = order;
    this.endedEarly = endedEarly;
    this.sorted = order == Order.KEY ? new TreeMap<>() : null;
    this.arrival = order == Order.KEY ? null : new ArrivalIndex();
  }

  /**
   * Files {@code span} under {@code key} and, when not {@code null}, under {@code carrier}.
   *
   * @param key what the callback brings back
   * @param carrier the object the callback may hand back instead, or {@code null}
   * @param span the span to wait
   * @return a span that no longer waits and must be ended now ({@link #endEarly(Span, String)}):
   *     the one {@code span} displaced under the same key, or the oldest when the table was full;
   *     {@code null} when none
   */
  public Span add(long key, Object carrier, Span span) {
    Pending pending = new Pending(key, carrier, span);
    Pending out = null;
    if (size() >= max && !holds(key)) {
      out = removeFirst();
    }
    Pending displaced = sorted != null ? sorted.put(key, pending) : (Pending) arrival.put(pending);
    if (displaced != null) {
      forgetCarrier(displaced);
      out = displaced;
    }
    if (carrier != null) {
      byCarrier.put(carrier, pending);
    }
    return out == null ? null : out.span;
  }

  /**
   * Takes out the span filed under {@code key}.
   *
   * @param key the key
   * @return the span, or {@code null} when none waits under that key
   */
  public Span take(long key) {
    Pending pending = sorted != null ? sorted.remove(key) : (Pending) arrival.remove(key);
    if (pending == null) {
      return null;
    }
    forgetCarrier(pending);
    return pending.span;
  }

  /**
   * Takes out the span filed under this very carrier object.
   *
   * @param carrier the carrier, compared by identity
   * @return the span, or {@code null} when none waits under that carrier
   */
  public Span takeByCarrier(Object carrier) {
    Pending pending = byCarrier.remove(carrier);
    if (pending == null) {
      return null;
    }
    if (sorted != null) {
      sorted.remove(pending.key, pending);
    } else {
      arrival.remove(pending);
    }
    return pending.span;
  }

  /**
   * Takes out the oldest span.
   *
   * @return the span, or {@code null} when the table is empty
   */
  public Span takeOldest() {
    Pending pending = removeFirst();
    return pending == null ? null : pending.span;
  }

  /**
   * Takes out the span with the lowest key if that key is at most {@code key}: call it until it
   * returns {@code null} to take every span up to {@code key}. {@link Order#KEY} tables only.
   *
   * @param key the highest key to take
   * @return the span, or {@code null} when none is left up to {@code key}
   */
  public Span takeOldestUpTo(long key) {
    if (order != Order.KEY) {
      throw new IllegalStateException("only a table ordered by key knows what comes up to a key");
    }
    Map.Entry<Long, Pending> first = sorted.firstEntry();
    if (first == null || first.getKey() > key) {
      return null;
    }
    return take(first.getKey());
  }

  /**
   * Returns the number of spans waiting.
   *
   * @return the count
   */
  public int size() {
    return sorted != null ? sorted.size() : arrival.size();
  }

  private boolean holds(long key) {
    return sorted != null ? sorted.containsKey(key) : arrival.get(key) != null;
  }

  /**
   * Ends a span that stopped waiting before its callback: marks it with this table's attribute
   * and, when {@code event} is not {@code null}, an event saying why. Call it without the lock.
   *
   * @param span a span {@link #add} handed back, or one taken out without its callback
   * @param event the event's name, or {@code null}
   */
  public void endEarly(Span span, String event) {
    span.setAttribute(endedEarly, true);
    if (event != null) {
      span.addEvent(event);
    }
    span.end();
  }

  private Pending removeFirst() {
    Pending first;
    if (sorted != null) {
      Map.Entry<Long, Pending> e = sorted.pollFirstEntry();
      first = e == null ? null : e.getValue();
    } else {
      first = (Pending) arrival.removeOldest();
    }
    if (first != null) {
      forgetCarrier(first);
    }
    return first;
  }

  private void forgetCarrier(Pending pending) {
    if (pending.carrier != null) {
      byCarrier.remove(pending.carrier, pending);
    }
  }

  /** A waiting span, filed under its key and maybe its carrier. */
  private static final class Pending extends ArrivalIndex.Entry {
    Pending(long key, Object carrier, Span span) {
      super(key, carrier, span);
    }
  }
}
