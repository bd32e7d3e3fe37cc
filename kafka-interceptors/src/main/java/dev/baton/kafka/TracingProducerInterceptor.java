package dev.baton.kafka;

import dev.baton.core.internal.Faults;
import dev.baton.core.internal.MessagingMetrics;
import dev.baton.core.internal.SemConv;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
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
 * interceptor wrote into them) and ends with the partition and offset (or the send's error). Older
 * clients (3.9, 4.0) have no such callback: the span then ends in {@code onSend}, as soon as the
 * headers are written; this is detected when the interceptor is configured. A caller that forwards
 * only {@code onAcknowledgement(RecordMetadata, Exception)} (Spring's {@code KafkaTemplate}
 * interceptor hook, {@code CompositeProducerInterceptor}) is detected per interceptor instance
 * when its first answer arrives: spans still waiting end then, and later ones end in
 * {@code onSend}. Spans waiting for an answer are kept in a bounded table and all ended on
 * {@link #close()}.
 *
 * <p>A record whose headers are read-only (a {@code ProducerRecord} sent a second time) is copied,
 * so it still goes out with exactly one {@code traceparent}. A fault of Baton's never reaches the
 * producer: the record is then sent as it is.
 *
 * @since 0.1.0
 */
public final class TracingProducerInterceptor implements ProducerInterceptor<Object, Object> {

  private static final boolean ACK_WITH_HEADERS = hasAckWithHeaders();

  /** On spans ended when this producer's answers turned out to come without the headers. */
  static final String NO_HEADERS_EVENT =
      "baton: ended when the producer's acknowledgements turned out to carry no headers";

  private static final Logger LOG = Logger.getLogger("dev.baton.kafka");
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private KafkaTracing tracing;
  private InFlightSpans inFlight;
  private boolean endOnAck;
  private String clientId;

  /** Called by Kafka, which then calls {@link #configure(Map)}. */
  public TracingProducerInterceptor() {}

  @Override
  public void configure(Map<String, ?> configs) {
    tracing = KafkaTracing.fromConfig(configs);
    endOnAck = ACK_WITH_HEADERS && tracing.settings().spanEnd() == KafkaSettings.SpanEnd.ACK;
    inFlight = new InFlightSpans(tracing.settings().inflightMax());
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

  /** {@link InFlightSpans#UNKNOWN}, {@code WITH_HEADERS} or {@code NO_HEADERS}. */
  int answers() {
    return inFlight.answers();
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
      Context parent = Context.current();
      span = KafkaMetrics.timeSend(tracing.metrics(), startSend(tracing, record, clientId, parent),
          record.topic());
      tracing.propagation().inject(parent.with(span), out.headers());
      if (!endOnAck || inFlight.answers() == InFlightSpans.NO_HEADERS) {
        span.end();
      } else if (!span.isRecording() && !MessagingMetrics.isTimed(span)) {
        inFlight.untracked();
        span.end();
      } else {
        SpanContext sc = span.getSpanContext();
        if (!inFlight.add(out.headers(), parseHex(sc.getSpanId()), record.topic(), span)) {
          span.end(); // the answers were just found to come without headers
        }
      }
      return out;
    } catch (RuntimeException e) {
      Faults.abandon("kafka onSend", e, span);
      return record;
    }
  }

  /** Starts the PRODUCER {@code send {topic}} span of {@code record}, child of {@code parent}. */
  static Span startSend(
      KafkaTracing tracing, ProducerRecord<?, ?> record, String clientId, Context parent) {
    SpanBuilder builder =
        Spans.messaging(
                tracing.tracer(), SpanKind.PRODUCER, SemConv.SYSTEM_KAFKA, SemConv.OP_SEND, "send",
                record.topic())
            .setParent(parent);
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
    if (tracing.settings().captureKey()) {
      String key = KafkaTracing.keyString(record.key());
      if (key != null) {
        builder.setAttribute(SemConv.MESSAGING_KAFKA_MESSAGE_KEY, key);
      }
    }
    return builder.startSpan();
  }

  /** {@code RecordHeaders.isReadOnly()} exists (kafka-clients 4.1 and later). */
  private static final boolean HEADERS_TELL_READ_ONLY = hasMethod(RecordHeaders.class, "isReadOnly");

  private static boolean hasMethod(Class<?> type, String name) {
    try {
      type.getMethod(name);
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /**
   * After a send, kafka-clients makes a record's headers read-only; a record sent again is copied
   * with writable headers so its old trace headers can be replaced.
   */
  static <K, V> ProducerRecord<K, V> writable(ProducerRecord<K, V> record) {
    Headers headers = record.headers();
    if (HEADERS_TELL_READ_ONLY
        && headers instanceof RecordHeaders && !((RecordHeaders) headers).isReadOnly()) {
      return record; // kafka-clients' own headers say it without a remove
    }
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

  /**
   * kafka-clients before 4.1, or a caller forwarding only this overload. Before 4.1 the span
   * already ended in {@code onSend}. Otherwise the first such answer shows that this producer's
   * answers carry no headers: the spans still waiting end now (with this answer only when it is
   * certainly theirs) and later ones end in {@code onSend}. Ignored once answers with headers came.
   */
  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    if (!endOnAck) {
      return;
    }
    try {
      InFlightSpans.Given given = inFlight.noHeaders(metadata == null ? null : metadata.topic());
      if (given == null) {
        return;
      }
      warnOnce();
      for (Span span : given.spans) {
        if (span == given.answered) {
          finish(span, metadata, exception);
        } else {
          span.addEvent(NO_HEADERS_EVENT);
          span.end();
        }
      }
    } catch (RuntimeException e) {
      Faults.report("kafka onAcknowledgement", e);
    }
  }

  private static void warnOnce() {
    if (LOG.isLoggable(Level.WARNING) && WARNED.compareAndSet(false, true)) {
      LOG.warning("Baton: a Kafka producer's interceptor chain forwards only"
          + " onAcknowledgement(RecordMetadata, Exception), without the record headers; its send"
          + " spans now end in onSend, without partition, offset or send error. To end them on the"
          + " broker's answer, list dev.baton.kafka.TracingProducerInterceptor in the producer's"
          + " interceptor.classes itself, or forward onAcknowledgement(RecordMetadata, Exception,"
          + " Headers) from the wrapper that calls it (logged once per JVM)");
    }
  }

  /** kafka-clients 4.1 and later: ends the record's span with the broker's answer. */
  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception, Headers headers) {
    if (!endOnAck) {
      return;
    }
    try {
      long spanId = -1;
      boolean mayWait = tracing.metrics() != null;
      if (headers != null) {
        Header traceparent = headers.lastHeader("traceparent");
        byte[] value = traceparent == null ? null : traceparent.value();
        spanId = InFlightSpans.parseSpanId(value);
        mayWait |= InFlightSpans.sampled(value);
      }
      Span span = inFlight.remove(headers, spanId, mayWait);
      if (span != null) {
        finish(span, metadata, exception);
      }
    } catch (RuntimeException e) {
      Faults.report("kafka onAcknowledgement", e);
    }
  }

  /** Ends a send span with the broker's answer: where the record landed, or the send's error. */
  static void finish(Span span, RecordMetadata metadata, Exception exception) {
    if (metadata != null) {
      if (metadata.partition() >= 0) {
        span.setAttribute(
            SemConv.MESSAGING_DESTINATION_PARTITION_ID, SemConv.partitionId(metadata.partition()));
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
    MessagingMetrics.answered(span);
    span.end();
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
