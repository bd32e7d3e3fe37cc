package dev.baton.core.internal;

import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The {@link TextMapGetter} made from a {@link HeaderCarrier}.
 *
 * <p>Several fields of one name are joined with {@code ","}, which is what HTTP defines them to
 * mean: {@code tracestate} and {@code baggage} fields combine, and two {@code traceparent} fields
 * make a value no parser accepts, so the trace restarts as the W3C specification demands. A field
 * that decodes to nothing (null, malformed bytes, control characters, over the cap) is absent.
 * The joined value is capped too, in UTF-8 bytes like each field. A carrier that throws is
 * treated as empty.
 *
 * <p>When {@code hidden} is not empty, those keys read as absent: that is how OpenTelemetry's own
 * propagators are kept from second-guessing Baton's W3C parsing.
 */
final class CarrierGetter<C> implements TextMapGetter<C> {

  /** {@link #scan} bits: a field of that name is there in some casing. */
  static final int TRACEPARENT_ANY = 1;
  static final int TRACESTATE_ANY = 2;
  static final int BAGGAGE_ANY = 4;
  /** {@link #scan} bits: exactly one field of that exact name, and none in another casing. */
  static final int TRACEPARENT_SINGLE = 8;
  static final int TRACESTATE_SINGLE = 16;
  static final int BAGGAGE_SINGLE = 32;
  /** What {@link #scan} answers when it cannot tell: every field may be there. */
  static final int UNKNOWN = TRACEPARENT_ANY | TRACESTATE_ANY | BAGGAGE_ANY;

  private final HeaderCarrier<C> carrier;
  private final int maxLength;
  private final Set<String> hidden;

  CarrierGetter(HeaderCarrier<C> carrier, int maxLength, Set<String> hidden) {
    this.carrier = carrier;
    this.maxLength = maxLength;
    this.hidden = hidden;
  }

  /**
   * One pass over the field names: which W3C fields the carrier holds ({@code *_ANY} bits, in any
   * casing) and which are a single field under the exact name ({@code *_SINGLE}). Names are
   * compared by length first, so a carrier without trace headers costs a length check per field
   * and allocates nothing but, for some carriers, the iterator. Carriers whose names are
   * lowercase, and carriers that throw, answer {@link #UNKNOWN}: the general path then reads them
   * (and reports their faults) as before.
   */
  int scan(C c) {
    if (c == null) {
      return 0;
    }
    if (carrier.namesAreLowercase()) {
      return UNKNOWN;
    }
    try {
      // per W3C field: 1 for a field of the exact name, 2 for one in another casing; 2 = several
      int traceparents = 0;
      int tracestates = 0;
      int baggages = 0;
      int count = carrier.fieldCount(c);
      Iterator<String> keys = count >= 0 ? null : carrier.keys(c).iterator();
      for (int i = 0; keys == null ? i < count : keys.hasNext(); i++) {
        String k = keys == null ? carrier.keyAt(c, i) : keys.next();
        int w = weigh(k);
        if (w != 0) {
          traceparents = Math.min(2, traceparents + (w & 3));
          tracestates = Math.min(2, tracestates + ((w >> 2) & 3));
          baggages = Math.min(2, baggages + (w >> 4));
        }
      }
      return (traceparents == 0 ? 0 : TRACEPARENT_ANY)
          | (traceparents == 1 ? TRACEPARENT_SINGLE : 0)
          | (tracestates == 0 ? 0 : TRACESTATE_ANY)
          | (tracestates == 1 ? TRACESTATE_SINGLE : 0)
          | (baggages == 0 ? 0 : BAGGAGE_ANY)
          | (baggages == 1 ? BAGGAGE_SINGLE : 0);
    } catch (RuntimeException e) {
      return UNKNOWN;
    }
  }

  /**
   * Which W3C field {@code k} names: 1 (exact name) or 2 (another casing) in the two bits of that
   * field (traceparent, tracestate, baggage from the lowest); 0 for any other name. Lengths are
   * compared first.
   */
  private static int weigh(String k) {
    int n = k == null ? 0 : k.length();
    if (n == 11 && W3CTraceContext.TRACEPARENT.regionMatches(true, 0, k, 0, 11)) {
      return W3CTraceContext.TRACEPARENT.equals(k) ? 1 : 2;
    }
    if (n == 10 && W3CTraceContext.TRACESTATE.regionMatches(true, 0, k, 0, 10)) {
      return W3CTraceContext.TRACESTATE.equals(k) ? 1 << 2 : 2 << 2;
    }
    if (n == 7 && W3CBaggage.BAGGAGE.regionMatches(true, 0, k, 0, 7)) {
      return W3CBaggage.BAGGAGE.equals(k) ? 1 << 4 : 2 << 4;
    }
    return 0;
  }

  /**
   * The raw value of the one field named {@code key} when it is a {@code byte[]} of at most
   * {@code limit} bytes and within the size cap; otherwise {@code null} (and the general path
   * reads it). Only for a field {@link #scan} found single.
   */
  byte[] singleBytes(C c, String key, int limit) {
    try {
      Object raw = carrier.lastValue(c, key);
      if (raw instanceof byte[]) {
        byte[] b = (byte[]) raw;
        return b.length <= limit && b.length <= maxLength ? b : null;
      }
      return null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public Iterable<String> keys(C c) {
    if (c == null) {
      return Collections.emptyList();
    }
    try {
      Iterable<String> keys = carrier.keys(c);
      return hidden.isEmpty() ? keys : visible(keys, hidden);
    } catch (RuntimeException e) {
      Faults.report("carrier keys", e);
      return Collections.emptyList();
    }
  }

  /** A copy of {@code keys} without {@code null} and without the {@code hidden} ones. */
  static List<String> visible(Iterable<String> keys, Set<String> hidden) {
    List<String> visible = new ArrayList<>();
    for (String k : keys) {
      if (k != null && !hidden.contains(k)) {
        visible.add(k);
      }
    }
    return visible;
  }

  @Override
  public String get(C c, String key) {
    if (c == null || key == null || hidden.contains(key)) {
      return null;
    }
    try {
      String value = join(c, key);
      if (value == null && !carrier.namesAreLowercase()) {
        String other = otherCasing(c, key);
        if (other != null) {
          value = join(c, other);
        }
      }
      return value;
    } catch (RuntimeException e) {
      Faults.report("carrier get", e);
      return null;
    }
  }

  /**
   * Header names are case-sensitive in Kafka and AMQP but not in HTTP, where W3C headers come
   * from. When the exact name yields no value (no field, or every field absent by the rules
   * above), the first name in carrier order that equals it ignoring case is read instead; fields
   * of a third casing are not joined with it.
   */
  private String otherCasing(C c, String key) {
    for (String k : carrier.keys(c)) {
      if (k != null && !k.equals(key) && k.equalsIgnoreCase(key)) {
        return k;
      }
    }
    return null;
  }

  private String join(C c, String key) {
    String first = null;
    StringBuilder joined = null;
    long bytes = 0;
    for (Object field : carrier.fields(c, key)) {
      String v = HeaderValues.decode(field == null ? null : carrier.valueOf(field), maxLength);
      if (v == null) {
        continue;
      }
      // The cap holds for the joined value too, counted in UTF-8 bytes like each field.
      bytes += (first == null ? 0 : 1) + HeaderValues.utf8Length(v, 0, v.length(), maxLength);
      if (bytes > maxLength) {
        return null;
      }
      if (first == null) {
        first = v;
      } else {
        if (joined == null) {
          joined = new StringBuilder(first.length() + v.length() + 1).append(first);
        }
        joined.append(',').append(v);
      }
    }
    return joined == null ? first : joined.toString();
  }

  @Override
  public Iterator<String> getAll(C c, String key) {
    if (c == null || key == null || hidden.contains(key)) {
      return Collections.emptyIterator();
    }
    try {
      List<String> values = new ArrayList<>(2);
      for (Object field : carrier.fields(c, key)) {
        String v = HeaderValues.decode(field == null ? null : carrier.valueOf(field), maxLength);
        if (v != null) {
          values.add(v);
        }
      }
      return values.iterator();
    } catch (RuntimeException e) {
      Faults.report("carrier getAll", e);
      return Collections.emptyIterator();
    }
  }
}
