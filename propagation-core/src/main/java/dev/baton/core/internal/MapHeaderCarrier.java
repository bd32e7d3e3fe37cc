package dev.baton.core.internal;

import java.util.Collections;
import java.util.Map;

/**
 * A header table that is a {@code Map<String, Object>} (AMQP's, whether amqp-client's own or
 * Spring AMQP's {@code MessageProperties}): a name appears at most once, and values written are
 * {@code String}, which every client in every language reads. A subclass says how its client's
 * value types read ({@link #valueOf}). Stateless.
 */
public abstract class MapHeaderCarrier implements HeaderCarrier<Map<String, Object>> {

  /** For the transports' singletons. */
  protected MapHeaderCarrier() {}

  @Override
  public final Iterable<String> keys(Map<String, Object> headers) {
    return headers.keySet();
  }

  @Override
  public final Iterable<?> fields(Map<String, Object> headers, String key) {
    Object value = headers.get(key);
    return value == null ? Collections.emptyList() : Collections.singletonList(value);
  }

  @Override
  public final void replace(Map<String, Object> headers, String key, String value) {
    headers.remove(key);
    if (value != null) {
      headers.put(key, value);
    }
  }
}
