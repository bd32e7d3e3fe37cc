package dev.baton.core;

import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Set;

/**
 * The {@link TextMapSetter} made from a {@link HeaderCarrier}: every write replaces, so injecting
 * twice leaves one field per key. Writes of {@code hidden} keys are dropped (OpenTelemetry's own
 * W3C propagators must not overwrite Baton's values). A carrier that throws is reported as a fault
 * and the message goes on without that header.
 */
final class CarrierSetter<C> implements TextMapSetter<C> {

  private final HeaderCarrier<C> carrier;
  private final Set<String> hidden;

  CarrierSetter(HeaderCarrier<C> carrier, Set<String> hidden) {
    this.carrier = carrier;
    this.hidden = hidden;
  }

  @Override
  public void set(C c, String key, String value) {
    if (c == null || key == null || value == null || hidden.contains(key)) {
      return;
    }
    replace(c, key, value);
  }

  /** Removes every field named {@code key}. */
  void remove(C c, String key) {
    if (c != null) {
      replace(c, key, null);
    }
  }

  private void replace(C c, String key, String value) {
    try {
      carrier.replace(c, key, value);
    } catch (RuntimeException e) {
      Faults.report("carrier replace", e);
    }
  }
}
