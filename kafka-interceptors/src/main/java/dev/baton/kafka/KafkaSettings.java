package dev.baton.kafka;

import dev.baton.core.internal.ConfigReader;
import java.util.Set;

/**
 * The {@code baton.kafka.*} settings, with their defaults and limits, in one place.
 *
 * @param inflightMax how many producer spans may wait for their broker answer
 * @param spanEnd when a producer span ends
 * @param receiveSpans whether a poll that returns records makes a {@code receive} span
 * @param processSpans iterating what {@code poll} returns runs each record inside its {@code
 *     process} span
 * @param captureKey whether the record key becomes {@code messaging.kafka.message.key}
 */
record KafkaSettings(
    int inflightMax,
    SpanEnd spanEnd,
    boolean receiveSpans,
    boolean processSpans,
    boolean captureKey) {

  static final String INFLIGHT_MAX = "baton.kafka.producer.inflight.max";
  static final String PRODUCER_SPAN_END = "baton.kafka.producer.span.end";
  static final String RECEIVE_SPANS = "baton.kafka.consumer.receive.spans";
  static final String PROCESS_SPANS = "baton.kafka.consumer.process.spans";
  static final String CAPTURE_KEY = "baton.kafka.capture.message.key";

  static final Set<String> KEYS = Set.of(INFLIGHT_MAX, PRODUCER_SPAN_END, RECEIVE_SPANS, PROCESS_SPANS, CAPTURE_KEY);

  static final int DEFAULT_INFLIGHT_MAX = 10_000;
  static final int MAX_INFLIGHT_MAX = 1_000_000;

  /** When a producer span ends. */
  enum SpanEnd {
    /** On the broker's answer (kafka-clients 4.1+); falls back to SEND on older clients. */
    ACK,
    /** Right after the record's headers are written, in {@code onSend}. */
    SEND
  }

  static KafkaSettings from(ConfigReader config) {
    return new KafkaSettings(
        config.integer(INFLIGHT_MAX, DEFAULT_INFLIGHT_MAX, 1, MAX_INFLIGHT_MAX),
        config.enumValue(PRODUCER_SPAN_END, SpanEnd.class, SpanEnd.ACK),
        config.bool(RECEIVE_SPANS, false),
        config.bool(PROCESS_SPANS, false),
        config.bool(CAPTURE_KEY, false));
  }
}
