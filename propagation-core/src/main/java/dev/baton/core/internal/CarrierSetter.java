package dev.baton.core.internal;

import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The {@link TextMapSetter} made from a {@link HeaderCarrier}: every write replaces, so injecting
 * twice leaves one field per key. Writes of {@code hidden} keys are dropped (OpenTelemetry's own
 * W3C propagators must not overwrite Baton's values). A carrier that throws is reported as a fault
 * and the message goes on without that header.
 *
 * <p>Kafka and AMQP header names are case-sensitive, HTTP's are not: a {@code Traceparent} written
 * by another library is a second header beside Baton's {@code traceparent}, and a receiver may
 * read either. {@link #removeStale} takes such fields out before an inject.
 */
final class CarrierSetter<C> implements TextMapSetter<C> {

  private final HeaderCarrier<C> carrier;
  private final Set<String> hidden;
  /** Every field the propagators own, as they name it. */
  private final String[] owned;
  /** Per owned field: Baton's W3C inject always writes or removes it under this exact name. */
  private final boolean[] rewritten;
  /**
   * For carriers {@link #removeStale} found without any owned field: writes need not remove, and
   * removals have nothing to do.
   */
  private final boolean fresh;

  CarrierSetter(HeaderCarrier<C> carrier, Set<String> hidden) {
    this(carrier, hidden, List.of(), false);
  }

  CarrierSetter(
      HeaderCarrier<C> carrier, Set<String> hidden, Collection<String> owned, boolean fresh) {
    this.carrier = carrier;
    this.hidden = hidden;
    this.fresh = fresh;
    this.owned = owned.toArray(new String[0]);
    this.rewritten = new boolean[this.owned.length];
    for (int i = 0; i < this.owned.length; i++) {
      rewritten[i] = BatonPropagator.W3C_FIELDS.contains(this.owned[i]);
    }
  }

  @Override
  public void set(C c, String key, String value) {
    if (c == null || key == null || value == null || hidden.contains(key)) {
      return;
    }
    replace(c, key, value);
  }

  /** Sets {@code key} to a value already encoded as UTF-8; the array is handed over. */
  void setAscii(C c, String key, byte[] value) {
    if (c == null || hidden.contains(key)) {
      return;
    }
    try {
      carrier.replace(c, key, value, fresh);
    } catch (RuntimeException e) {
      Faults.report("carrier replace", e);
    }
  }

  /** Removes every field named {@code key}. */
  void remove(C c, String key) {
    if (c != null && !fresh) {
      replace(c, key, null);
    }
  }

  /**
   * Before an inject: removes every field named like an owned field in another casing, and the
   * owned fields of the other propagators under their exact name too (they write again what they
   * still have to say). Baton's exact {@code traceparent}, {@code tracestate} and {@code baggage}
   * are left to the inject, which replaces or removes each. One pass over the names, comparing
   * lengths first; nothing is allocated unless a field is found. Carriers whose names are always
   * lowercase are not scanned.
   *
   * @return whether the carrier held no owned field at all, in any casing (so the inject that
   *     follows may use the fresh setter); {@code false} when it was not scanned
   */
  boolean removeStale(C c) {
    if (c == null || owned.length == 0 || carrier.namesAreLowercase()) {
      return false;
    }
    try {
      List<String> stale = null;
      boolean clean = true;
      int count = carrier.fieldCount(c);
      Iterator<String> keys = count >= 0 ? null : carrier.keys(c).iterator();
      for (int i = 0; keys == null ? i < count : keys.hasNext(); i++) {
        String k = keys == null ? carrier.keyAt(c, i) : keys.next();
        int owner = k == null ? -1 : owner(k);
        if (owner < 0) {
          continue;
        }
        clean = false;
        if (!(rewritten[owner] && owned[owner].equals(k))) {
          if (stale == null) {
            stale = new ArrayList<>(2);
          }
          stale.add(k);
        }
      }
      if (stale != null) {
        for (int i = 0; i < stale.size(); i++) {
          carrier.replace(c, stale.get(i), null);
        }
      }
      return clean;
    } catch (RuntimeException e) {
      Faults.report("carrier remove stale", e);
      return false;
    }
  }

  /** The index of the owned field {@code key} names in some casing, or -1. */
  private int owner(String key) {
    int n = key.length();
    for (int i = 0; i < owned.length; i++) {
      String f = owned[i];
      if (f.length() == n && f.regionMatches(true, 0, key, 0, n)) {
        return i;
      }
    }
    return -1;
  }

  private void replace(C c, String key, String value) {
    try {
      carrier.replace(c, key, value);
    } catch (RuntimeException e) {
      Faults.report("carrier replace", e);
    }
  }
}
