package dev.baton.core.internal;

/**
 * The one contract a transport implements to let Baton read and write its message headers:
 * Kafka record headers, AMQP header tables, gRPC metadata.
 *
 * <p>An implementation only exposes the carrier's raw fields. Every decoding rule (bytes to text,
 * optional whitespace, repeated fields, nulls, size limits) lives once in Baton's core, which turns
 * a carrier into the {@code TextMapGetter}/{@code TextMapSetter} pair that OpenTelemetry
 * propagators use.
 *
 * <p>Implementations are stateless singletons and must be thread-safe. They may throw on a carrier
 * they cannot read; the core catches such faults and treats the fields as absent.
 *
 * @param <C> the carrier type, for example {@code org.apache.kafka.common.header.Headers}
 * @since 0.1.0
 */
public interface HeaderCarrier<C> {

  /**
   * Returns the names of every field in the carrier, in order; a name may repeat.
   *
   * @param carrier the carrier, never {@code null}
   * @return the field names; empty when there are none
   */
  Iterable<String> keys(C carrier);

  /**
   * Returns every field named {@code key}, in the order they appear; empty when there is none.
   * The core passes each element through {@link #valueOf(Object)} to get its raw value.
   *
   * @param carrier the carrier, never {@code null}
   * @param key the field name, exactly as written on the wire
   * @return the fields named {@code key}, possibly empty; never {@code null}
   */
  Iterable<?> fields(C carrier, String key);

  /**
   * Returns the raw value of one element of {@link #fields(Object, String)}: a {@code String},
   * another {@code CharSequence} or a {@code byte[]}. Any other type, and {@code null}, make the
   * field count as absent. The default returns the element itself.
   *
   * @param field one element returned by {@link #fields(Object, String)}
   * @return the field's raw value
   */
  default Object valueOf(Object field) {
    return field;
  }

  /**
   * Whether every field name in this carrier type is lowercase (gRPC metadata keys are). When true,
   * the core never looks a missing field up under another casing, which saves a pass over
   * {@link #keys(Object)} per absent field, and does not scan the names before an inject. When
   * false, each inject first reads {@link #keys(Object)} once and removes, through
   * {@link #replace(Object, String, String)}, the fields the propagators own written in another
   * casing ({@code Traceparent}, {@code TRACESTATE}). The default is {@code false}.
   *
   * @return true if field names are always lowercase
   */
  default boolean namesAreLowercase() {
    return false;
  }

  /**
   * Removes every field named {@code key} and, when {@code value} is not {@code null}, adds one
   * field with that value. After this call the carrier holds at most one field named {@code key}:
   * a message sent twice never carries two {@code traceparent} headers.
   *
   * @param carrier the carrier, never {@code null}
   * @param key the field name
   * @param value the new value, or {@code null} to only remove
   */
  void replace(C carrier, String key, String value);
}
