package dev.baton.core.internal;

import java.nio.charset.StandardCharsets;

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

  /**
   * Returns the raw value of the last field named {@code key} (as {@link #valueOf(Object)} would),
   * or {@code null} when there is none. The core calls it only after {@link #keys(Object)} showed
   * exactly one such field, to read it without walking {@link #fields(Object, String)}. The
   * default walks them; carriers with a direct look-up (Kafka's {@code lastHeader}) override it.
   *
   * @param carrier the carrier, never {@code null}
   * @param key the field name, exactly as written on the wire
   * @return the raw value, or {@code null}
   * @since 0.1.0
   */
  default Object lastValue(C carrier, String key) {
    Object last = null;
    for (Object field : fields(carrier, key)) {
      last = field;
    }
    return last == null ? null : valueOf(last);
  }

  /**
   * {@link #replace(Object, String, String)} for a value the core has already encoded as UTF-8
   * (in practice ASCII: {@code traceparent}, {@code tracestate}). The array is new and handed
   * over: a carrier whose values are bytes may keep it as it is. When {@code absent} is true the
   * core has just checked that the carrier holds no field named {@code key} in any casing, so the
   * removal may be skipped. The default decodes the value and calls {@code replace}.
   *
   * @param carrier the carrier, never {@code null}
   * @param key the field name
   * @param value the new value, UTF-8, never {@code null}
   * @param absent whether the carrier is known to hold no field named {@code key}
   * @since 0.1.0
   */
  default void replace(C carrier, String key, byte[] value, boolean absent) {
    replace(carrier, key, new String(value, StandardCharsets.UTF_8));
  }

  /**
   * The number of fields, for carriers that can also name the {@code i}-th field without
   * allocating ({@link #keyAt(Object, int)}); {@code -1} (the default) when they cannot, and the
   * core walks {@link #keys(Object)} instead. Only a speed-up: the core's first look at every
   * message's names is the one pass a message without trace headers costs.
   *
   * @param carrier the carrier, never {@code null}
   * @return the number of fields, or -1
   * @since 0.1.0
   */
  default int fieldCount(C carrier) {
    return -1;
  }

  /**
   * The name of field {@code index}, {@code 0 <= index < fieldCount(carrier)}; only called when
   * {@link #fieldCount(Object)} answered a count.
   *
   * @param carrier the carrier, never {@code null}
   * @param index the field's position
   * @return its name
   * @since 0.1.0
   */
  default String keyAt(C carrier, int index) {
    throw new UnsupportedOperationException("keyAt without fieldCount");
  }
}
