package dev.baton.core;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Wraps a caller's own getter or setter so that the other propagators configured on the
 * {@code OpenTelemetry} instance neither read nor write the W3C fields: Baton's W3C parsing and
 * its baggage allow-lists apply, whichever carrier the caller brings to
 * {@link BatonTracing#propagator()}. (Transports use {@link CarrierGetter}/{@link CarrierSetter},
 * which hide the same fields without a wrapper per call.)
 */
final class HidingTextMap {

  private HidingTextMap() {}

  static <C> TextMapGetter<C> getter(TextMapGetter<C> delegate) {
    return new TextMapGetter<C>() {
      @Override
      public Iterable<String> keys(C carrier) {
        List<String> visible = new ArrayList<>();
        for (String k : delegate.keys(carrier)) {
          if (k != null && !BatonPropagator.W3C_FIELDS.contains(k)) {
            visible.add(k);
          }
        }
        return visible;
      }

      @Override
      public String get(C carrier, String key) {
        return key == null || BatonPropagator.W3C_FIELDS.contains(key) ? null : delegate.get(carrier, key);
      }

      @Override
      public Iterator<String> getAll(C carrier, String key) {
        return key == null || BatonPropagator.W3C_FIELDS.contains(key)
            ? Collections.emptyIterator()
            : delegate.getAll(carrier, key);
      }
    };
  }

  static <C> TextMapSetter<C> setter(TextMapSetter<C> delegate) {
    return (carrier, key, value) -> {
      if (key != null && !BatonPropagator.W3C_FIELDS.contains(key)) {
        delegate.set(carrier, key, value);
      }
    };
  }
}
