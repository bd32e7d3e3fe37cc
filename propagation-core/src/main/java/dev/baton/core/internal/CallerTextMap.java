package dev.baton.core.internal;

import dev.baton.core.BatonTracing;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Wraps the getter or setter a caller brings to {@link BatonTracing#propagator()}, so that this
 * public path reads headers by the same rules as every transport ({@link CarrierGetter}): each
 * value goes through {@link HeaderValues#decode} (control characters make it absent, optional
 * whitespace is trimmed, more than the cap in UTF-8 bytes makes it absent) before any propagator
 * parses it. The hiding variants also keep the other propagators configured on the
 * {@code OpenTelemetry} instance from reading or writing the W3C fields.
 */
final class CallerTextMap {

  private CallerTextMap() {}

  static <C> TextMapGetter<C> getter(TextMapGetter<C> delegate, int maxLength, boolean hideW3c) {
    return new Getter<>(delegate, maxLength, hideW3c);
  }

  static <C> TextMapSetter<C> hidingSetter(TextMapSetter<C> delegate) {
    return new HidingSetter<>(delegate);
  }

  private static boolean isW3c(String key) {
    return BatonPropagator.W3C_FIELDS.contains(key);
  }

  private static final class Getter<C> implements TextMapGetter<C> {
    private final TextMapGetter<C> delegate;
    private final int maxLength;
    private final boolean hideW3c;

    Getter(TextMapGetter<C> delegate, int maxLength, boolean hideW3c) {
      this.delegate = delegate;
      this.maxLength = maxLength;
      this.hideW3c = hideW3c;
    }

    @Override
    public Iterable<String> keys(C carrier) {
      try {
        Iterable<String> keys = delegate.keys(carrier);
        if (!hideW3c || keys == null) {
          return keys == null ? Collections.emptyList() : keys;
        }
        return CarrierGetter.visible(keys, BatonPropagator.W3C_FIELDS);
      } catch (RuntimeException e) {
        Faults.report("caller getter keys", e);
        return Collections.emptyList();
      }
    }

    @Override
    public String get(C carrier, String key) {
      if (key == null || (hideW3c && isW3c(key))) {
        return null;
      }
      try {
        return HeaderValues.decode(delegate.get(carrier, key), maxLength);
      } catch (RuntimeException e) {
        Faults.report("caller getter get", e);
        return null;
      }
    }

    @Override
    public Iterator<String> getAll(C carrier, String key) {
      if (key == null || (hideW3c && isW3c(key))) {
        return Collections.emptyIterator();
      }
      try {
        Iterator<String> all = delegate.getAll(carrier, key);
        if (all == null || !all.hasNext()) {
          return Collections.emptyIterator();
        }
        List<String> values = new ArrayList<>(2);
        while (all.hasNext()) {
          String v = HeaderValues.decode(all.next(), maxLength);
          if (v != null) {
            values.add(v);
          }
        }
        return values.iterator();
      } catch (RuntimeException e) {
        Faults.report("caller getter getAll", e);
        return Collections.emptyIterator();
      }
    }
  }

  private static final class HidingSetter<C> implements TextMapSetter<C> {
    private final TextMapSetter<C> delegate;

    HidingSetter(TextMapSetter<C> delegate) {
      this.delegate = delegate;
    }

    @Override
    public void set(C carrier, String key, String value) {
      if (key != null && !isW3c(key)) {
        delegate.set(carrier, key, value);
      }
    }
  }
}
