package dev.baton.benchmarks;

import dev.baton.core.internal.HeaderCarrier;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Collections;
import java.util.Map;

/**
 * A {@code Map<String, String>} header table, as a Baton carrier and as the plain OpenTelemetry
 * getter/setter pair a library would write for it: the same carrier for both sides.
 */
final class MapCarrier implements HeaderCarrier<Map<String, String>> {

  static final MapCarrier BATON = new MapCarrier();

  static final TextMapGetter<Map<String, String>> OTEL_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  static final TextMapSetter<Map<String, String>> OTEL_SETTER =
      (carrier, key, value) -> {
        if (carrier != null) {
          carrier.put(key, value);
        }
      };

  private MapCarrier() {}

  @Override
  public Iterable<String> keys(Map<String, String> carrier) {
    return carrier.keySet();
  }

  @Override
  public Iterable<?> fields(Map<String, String> carrier, String key) {
    String value = carrier.get(key);
    return value == null ? Collections.emptyList() : Collections.singletonList(value);
  }

  @Override
  public void replace(Map<String, String> carrier, String key, String value) {
    if (value == null) {
      carrier.remove(key);
    } else {
      carrier.put(key, value);
    }
  }
}
