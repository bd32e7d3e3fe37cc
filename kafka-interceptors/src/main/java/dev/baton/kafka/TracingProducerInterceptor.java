package dev.baton.kafka;

import dev.baton.core.Faults;
import dev.baton.core.SemConv;
import dev.baton.core.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Kafka producer interceptor: starts a PRODUCER {@code send {topic}} span for every record (child
 * of the context current where {@code send} is called), writes its context into the record
 * headers, replacing any earlier trace headers, and ends the span when the broker answers.
 *
 * <p>Register it by class name: {@code interceptor.classes=dev.baton.kafka.TracingProducerInterceptor}.
 * Settings come from the producer's {@code baton.*} keys (see {@link KafkaTracing}).
 *
 * <p><b>When the span ends.</b> kafka-clients 4.1 and later hand interceptors the record headers
 * in {@code onAcknowledgement}, so the span is found again by those headers (or by the span id this
 * interceptor wrote into them) and ends with the partition and offset (or the send's error). Older clients (3.9, 4.0) have no
 * such callback: the span then ends in {@code onSend}, as soon as the headers are written; this is
 * detected when the interceptor is configured. Spans waiting for an answer are kept in a bounded
 * table and all ended on {@link #close()}.
 *
 * <p>A record whose headers are read-only (a {@code ProducerRecord} sent a second time) is copied,
 * so it still goes out with exactly one {@code traceparent}. A fault of Baton's never reaches the
 * producer: the record is then sent as it is.
 *
 * @since 0.1.0
 */
public final class TracingProducerInterceptor implements ProducerInterceptor<Object, Object> {

  private static final boolean ACK_WITH_HEADERS = hasAckWithHeaders();

  private KafkaTracing tracing;
  private InFlightSpans inFlight;
  private boolean endOnAck;
  private String clientId;

  /** Called by Kafka, which then calls {@link #configure(Map)}. */
  public TracingProducerInterceptor() {}

  @Override
  public void configure(Map<String, ?> configs) {
    tracing = KafkaTracing.fromConfig(configs);
    endOnAck = ACK_WITH_HEADERS && tracing.settings().spanEnd == KafkaSettings.SpanEnd.ACK;
    inFlight = new InFlightSpans(tracing.settings().inflightMax);
    Object id = configs.get(ProducerConfig.CLIENT_ID_CONFIG);
    clientId = id == null || id.toString().isEmpty() ? null : id.toString();
  }

  /** Whether this kafka-clients passes headers to {@code onAcknowledgement} (4.1 and later). */
  static boolean hasAckWithHeaders() {
    try {
      ProducerInterceptor.class.getMethod(
          "onAcknowledgement", RecordMetadata.class, Exception.class, Headers.class);
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  boolean endsOnAck() {
    return endOnAck;
  }

  int inFlightCount() {
    return inFlight.size();
  }

  @Override
  public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
    if (record == null || tracing == null) {
      return record;
    }
    Span span = null;
    try {
      ProducerRecord<Object, Object> out = writable(record);
      SpanBuilder builder =
          Spans.messaging(
                  tracing.tracer(), SpanKind.PRODUCER, SemConv.SYSTEM_KAFKA, SemConv.OP_SEND, "send",
                  record.topic())
              .setParent(Context.current());
      if (record.partition() != null) {
        builder.setAttribute(
            SemConv.MESSAGING_DESTINATION_PARTITION_ID, record.partition().toString());
      }
      if (clientId != null) {
        builder.setAttribute(SemConv.MESSAGING_CLIENT_ID, clientId);
      }
      if (record.value() == null) {
        builder.setAttribute(SemConv.MESSAGING_KAFKA_MESSAGE_TOMBSTONE, true);
      }
      if (tracing.settings().captureKey) {
        String key = KafkaTracing.keyString(record.key());
        if (key != null) {
          builder.setAttribute(SemConv.MESSAGING_KAFKA_MESSAGE_KEY, key);
        }
      }
      span = builder.startSpan();
      tracing.propagation().inject(Context.current().with(span), out.headers());
      SpanContext sc = span.getSpanContext();
      if (endOnAck && span.isRecording()) {
        inFlight.add(out.headers(), parseHex(sc.getSpanId()), span);
      } else {
        span.end();
      }
      return out;
    } catch (RuntimeException e) {
      Faults.report("kafka onSend", e);
      if (span != null) {
        span.end();
      }
      return record;
    }
  }

  /**
   * After a send, kafka-clients makes a record's headers read-only; a record sent again is copied
   * with writable headers so its old trace headers can be replaced.
   */
  private static ProducerRecord<Object, Object> writable(ProducerRecord<Object, Object> record) {
    Headers headers = record.headers();
    try {
      headers.remove("traceparent"); // throws on read-only headers; replaced right after anyway
      return record;
    } catch (IllegalStateException readOnly) {
      return new ProducerRecord<>(
          record.topic(),
          record.partition(),
          record.timestamp(),
          record.key(),
          record.value(),
          new RecordHeaders(headers.toArray()));
    }
  }

  /** kafka-clients before 4.1: the span already ended in {@code onSend}. */
  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

  /** kafka-clients 4.1 and later: ends the record's span with the broker's answer. */
  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception, Headers headers) {
    if (!endOnAck || headers == null) {
      return;
    }
    try {
      Header traceparent = headers.lastHeader("traceparent");
      long spanId = InFlightSpans.parseSpanId(traceparent == null ? null : traceparent.value());
      Span span = inFlight.remove(headers, spanId);
      if (span == null) {
        return;
      }
      if (metadata != null) {
        if (metadata.partition() >= 0) {
          span.setAttribute(
              SemConv.MESSAGING_DESTINATION_PARTITION_ID, Integer.toString(metadata.partition()));
        }
        if (metadata.hasOffset()) {
          span.setAttribute(SemConv.MESSAGING_KAFKA_OFFSET, metadata.offset());
        }
        if (metadata.serializedValueSize() >= 0) {
          span.setAttribute(
              SemConv.MESSAGING_MESSAGE_BODY_SIZE, (long) metadata.serializedValueSize());
        }
      }
      if (exception != null) {
        Spans.recordException(span, exception);
      }
      span.end();
    } catch (RuntimeException e) {
      Faults.report("kafka onAcknowledgement", e);
    }
  }

  @Override
  public void close() {
    if (inFlight != null) {
      inFlight.endAll();
    }
  }

  private static long parseHex(String spanId) {
    return Long.parseUnsignedLong(spanId, 16);
  }
}
