package dev.baton.kafka;

import static dev.baton.kafka.KafkaTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import dev.baton.core.internal.SemConv;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The producer interceptor's contract, driven directly (the broker round trip is in integration-tests). */
class TracingProducerInterceptorTest {

  final InMemoryTelemetry otel =
      InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  TracingProducerInterceptor interceptor;

  TracingProducerInterceptor interceptor(Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>(KafkaTracing.create(otel.openTelemetry()).producerProperties());
    config.put("client.id", "checkout-producer");
    config.putAll(extra);
    interceptor = new TracingProducerInterceptor();
    interceptor.configure(config);
    return interceptor;
  }

  @AfterEach
  void closeInterceptor() {
    if (interceptor != null) {
      interceptor.close();
    }
    assertThat(Context.current()).isSameAs(Context.root());
  }

  static RecordMetadata metadata(String topic, int partition, long offset) {
    return new RecordMetadata(new TopicPartition(topic, partition), offset, 0, 0L, 3, 5);
  }

  @Test
  void sendSpanIsChildOfCurrentAndEndsOnTheBrokersAnswer() {
    TracingProducerInterceptor p = interceptor(Map.of());
    assertThat(p.endsOnAck()).as("kafka-clients 4.4 passes headers to onAcknowledgement").isTrue();
    Span parent = otel.openTelemetry().getTracer("test").spanBuilder("checkout").startSpan();
    ProducerRecord<Object, Object> sent;
    try (Scope ignored = parent.makeCurrent()) {
      sent = p.onSend(new ProducerRecord<>("orders", "k1", "v1"));
    }
    assertThat(otel.spans()).as("not ended before the ack").isEmpty();
    assertThat(p.inFlightCount()).isEqualTo(1);

    p.onAcknowledgement(metadata("orders", 2, 42L), null, sent.headers());
    parent.end();

    SpanData send = otel.only(SpanKind.PRODUCER);
    assertThat(send.getName()).isEqualTo("send orders");
    assertThat(send.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
    assertThat(send.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
    assertThat(send.getAttributes().get(SemConv.MESSAGING_SYSTEM)).isEqualTo("kafka");
    assertThat(send.getAttributes().get(SemConv.MESSAGING_OPERATION_TYPE)).isEqualTo("send");
    assertThat(send.getAttributes().get(SemConv.MESSAGING_OPERATION_NAME)).isEqualTo("send");
    assertThat(send.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME)).isEqualTo("orders");
    assertThat(send.getAttributes().get(SemConv.MESSAGING_DESTINATION_PARTITION_ID)).isEqualTo("2");
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isEqualTo(42L);
    assertThat(send.getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).isEqualTo("checkout-producer");
    assertThat(send.getAttributes().get(SemConv.MESSAGING_MESSAGE_BODY_SIZE)).isEqualTo(5L);
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_MESSAGE_KEY)).as("opt-in").isNull();
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_MESSAGE_TOMBSTONE)).isNull();
    assertThat(values(sent.headers(), "traceparent"))
        .containsExactly(
            "00-" + send.getTraceId() + "-" + send.getSpanId() + "-"
                + send.getSpanContext().getTraceFlags().asHex());
    assertThat(p.inFlightCount()).isZero();
  }

  @Test
  void aFailedSendEndsTheSpanWithTheError() {
    TracingProducerInterceptor p = interceptor(Map.of());
    ProducerRecord<Object, Object> sent = p.onSend(new ProducerRecord<>("orders", "v"));
    p.onAcknowledgement(
        metadata("orders", -1, -1L), new RecordTooLargeException("too large"), sent.headers());
    SpanData send = otel.only(SpanKind.PRODUCER);
    assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(send.getAttributes().get(SemConv.ERROR_TYPE))
        .isEqualTo(RecordTooLargeException.class.getName());
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isNull();
    assertThat(send.getEvents()).extracting(e -> e.getName()).contains("exception");
  }

  @Test
  void optInKeyTombstoneAndExplicitPartition() {
    TracingProducerInterceptor p =
        interceptor(Map.of("baton.kafka.capture.message.key", "true"));
    ProducerRecord<Object, Object> sent = p.onSend(new ProducerRecord<>("orders", 1, "order-7", null));
    p.onAcknowledgement(metadata("orders", 1, 9L), null, sent.headers());
    SpanData send = otel.only(SpanKind.PRODUCER);
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_MESSAGE_KEY)).isEqualTo("order-7");
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_MESSAGE_TOMBSTONE)).isTrue();
    assertThat(send.getAttributes().get(SemConv.MESSAGING_DESTINATION_PARTITION_ID)).isEqualTo("1");
  }

  @Test
  void earlierTraceHeadersAreReplacedNotDuplicated() {
    TracingProducerInterceptor p = interceptor(Map.of());
    RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", "00-11111111111111111111111111111111-2222222222222222-01".getBytes());
    headers.add("traceparent", "garbage".getBytes());
    headers.add("tracestate", "old=1".getBytes());
    headers.add("other", "kept".getBytes());
    ProducerRecord<Object, Object> sent = p.onSend(new ProducerRecord<>("orders", null, "k", "v", headers));
    assertThat(values(sent.headers(), "traceparent")).hasSize(1).allMatch(v -> !v.startsWith("00-1111"));
    assertThat(values(sent.headers(), "tracestate")).isEmpty();
    assertThat(values(sent.headers(), "other")).containsExactly("kept");
  }

  @Test
  void aRecordSentTwiceIsCopiedAndStillCarriesOneTraceparent() {
    TracingProducerInterceptor p = interceptor(Map.of("baton.kafka.producer.span.end", "send"));
    ProducerRecord<Object, Object> record = new ProducerRecord<>("orders", "k", "v");
    ProducerRecord<Object, Object> first = p.onSend(record);
    ((RecordHeaders) first.headers()).setReadOnly(); // what KafkaProducer does after a send
    ProducerRecord<Object, Object> second = p.onSend(record);
    assertThat(second).isNotSameAs(record);
    assertThat(second.key()).isEqualTo("k");
    assertThat(second.value()).isEqualTo("v");
    assertThat(values(second.headers(), "traceparent")).hasSize(1);
    assertThat(values(second.headers(), "traceparent").get(0))
        .isNotEqualTo(values(first.headers(), "traceparent").get(0));
    assertThat(otel.spans()).hasSize(2);
  }

  @Test
  void endOnSendSettingEndsAtOnce() {
    TracingProducerInterceptor p = interceptor(Map.of("baton.kafka.producer.span.end", "send"));
    assertThat(p.endsOnAck()).isFalse();
    p.onSend(new ProducerRecord<>("orders", "v"));
    assertThat(otel.only(SpanKind.PRODUCER).getName()).isEqualTo("send orders");
    assertThat(p.inFlightCount()).isZero();
  }

  @Test
  void inFlightTableIsBoundedAndClosedEndsTheRest() {
    TracingProducerInterceptor p = interceptor(Map.of("baton.kafka.producer.inflight.max", "2"));
    for (int i = 0; i < 3; i++) {
      p.onSend(new ProducerRecord<>("orders", "v" + i));
    }
    assertThat(p.inFlightCount()).isEqualTo(2);
    SpanData evicted = otel.only(SpanKind.PRODUCER);
    assertThat(evicted.getAttributes().get(InFlightSpans.ACK_MISSING)).isTrue();
    p.close();
    assertThat(p.inFlightCount()).isZero();
    assertThat(otel.spans()).hasSize(3)
        .allMatch(s -> Boolean.TRUE.equals(s.getAttributes().get(InFlightSpans.ACK_MISSING)));
  }

  @Test
  void theAckFindsTheSpanEvenIfALaterInterceptorRewroteTraceparent() {
    TracingProducerInterceptor p = interceptor(Map.of());
    ProducerRecord<Object, Object> sent = p.onSend(new ProducerRecord<>("orders", "v"));
    sent.headers().remove("traceparent");
    sent.headers().add("traceparent",
        "00-11111111111111111111111111111111-2222222222222222-01".getBytes());
    p.onAcknowledgement(metadata("orders", 0, 5L), null, sent.headers());
    assertThat(p.inFlightCount()).isZero();
    assertThat(otel.only(SpanKind.PRODUCER).getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET))
        .isEqualTo(5L);
  }

  @Test
  void theAckFindsTheSpanEvenIfALaterInterceptorCopiedTheHeaders() {
    TracingProducerInterceptor p = interceptor(Map.of());
    ProducerRecord<Object, Object> sent = p.onSend(new ProducerRecord<>("orders", "v"));
    RecordHeaders copy = new RecordHeaders(sent.headers().toArray());
    p.onAcknowledgement(metadata("orders", 0, 6L), null, copy);
    assertThat(p.inFlightCount()).isZero();
    assertThat(otel.only(SpanKind.PRODUCER).getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET))
        .isEqualTo(6L);
  }

  @Test
  void ackForARecordWeDidNotTraceIsIgnored() {
    TracingProducerInterceptor p = interceptor(Map.of());
    p.onAcknowledgement(metadata("orders", 0, 1L), null, new RecordHeaders());
    p.onAcknowledgement(metadata("orders", 0, 1L), null, null);
    p.onAcknowledgement(
        metadata("orders", 0, 1L), null,
        KafkaTestSupport.headers("traceparent", new byte[] {(byte) 0xff, 0x00}));
    assertThat(otel.spans()).isEmpty();
  }

  @Test
  void nullRecordAndUnconfiguredInterceptorPassThrough() {
    TracingProducerInterceptor unconfigured = new TracingProducerInterceptor();
    ProducerRecord<Object, Object> r = new ProducerRecord<>("orders", "v");
    assertThat(unconfigured.onSend(r)).isSameAs(r);
    assertThat(interceptor(Map.of()).onSend(null)).isNull();
  }

  // --- callers that forward only onAcknowledgement(RecordMetadata, Exception) ---------------
  // (Spring's KafkaTemplate producer-interceptor hook, CompositeProducerInterceptor, and any
  // wrapper written before kafka-clients 4.1: they call exactly what these tests call.)

  @Test
  void aCallerForwardingOnlyTheTwoArgumentAckEndsTheSpanWithTheAnswer() {
    TracingProducerInterceptor p = interceptor(Map.of());
    Span parent = otel.openTelemetry().getTracer("test").spanBuilder("checkout").startSpan();
    ProducerRecord<Object, Object> sent;
    try (Scope ignored = parent.makeCurrent()) {
      sent = p.onSend(new ProducerRecord<>("orders", "k1", "v1"));
    }
    parent.end();
    assertThat(p.inFlightCount()).isEqualTo(1);
    assertThat(p.answers()).isEqualTo(InFlightSpans.UNKNOWN);

    p.onAcknowledgement(metadata("orders", 2, 42L), null);

    assertThat(p.answers()).isEqualTo(InFlightSpans.NO_HEADERS);
    assertThat(p.inFlightCount()).isZero();
    SpanData send = otel.only(SpanKind.PRODUCER);
    assertThat(send.getName()).isEqualTo("send orders");
    assertThat(send.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
    assertThat(send.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME)).isEqualTo("orders");
    assertThat(send.getAttributes().get(SemConv.MESSAGING_DESTINATION_PARTITION_ID)).isEqualTo("2");
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isEqualTo(42L);
    assertThat(send.getAttributes().get(SemConv.MESSAGING_MESSAGE_BODY_SIZE)).isEqualTo(5L);
    assertThat(send.getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).isEqualTo("checkout-producer");
    assertThat(send.getAttributes().get(InFlightSpans.ACK_MISSING)).isNull();
    assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(values(sent.headers(), "traceparent")).hasSize(1);

    // from now on this producer's spans end in onSend: no answer they could wait for comes
    otel.reset();
    p.onSend(new ProducerRecord<>("orders", "v2"));
    assertThat(p.inFlightCount()).isZero();
    SpanData second = otel.only(SpanKind.PRODUCER);
    assertThat(second.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isNull();
    assertThat(second.getAttributes().get(InFlightSpans.ACK_MISSING)).isNull();
    assertThat(second.getEvents()).isEmpty();
    p.onAcknowledgement(metadata("orders", 0, 43L), null);
    assertThat(otel.spans()).hasSize(1);
    assertThat(p.inFlightCount()).isZero();
  }

  @Test
  void aTwoArgumentAckOfAFailedSendEndsTheSpanWithTheError() {
    TracingProducerInterceptor p = interceptor(Map.of());
    p.onSend(new ProducerRecord<>("orders", "v"));
    p.onAcknowledgement(metadata("orders", -1, -1L), new RecordTooLargeException("too large"));
    assertThat(p.inFlightCount()).isZero();
    SpanData send = otel.only(SpanKind.PRODUCER);
    assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(send.getAttributes().get(SemConv.ERROR_TYPE))
        .isEqualTo(RecordTooLargeException.class.getName());
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isNull();
    assertThat(send.getAttributes().get(SemConv.MESSAGING_DESTINATION_PARTITION_ID)).isNull();
    assertThat(send.getEvents()).extracting(e -> e.getName()).contains("exception");
  }

  @Test
  void spansSentBeforeTheFirstTwoArgumentAckEndThenWithoutGuessingWhichAnswerIsTheirs() {
    TracingProducerInterceptor p = interceptor(Map.of());
    for (int i = 0; i < 3; i++) {
      p.onSend(new ProducerRecord<>("orders", "v" + i));
    }
    assertThat(p.inFlightCount()).isEqualTo(3);
    p.onAcknowledgement(metadata("orders", 0, 7L), new RecordTooLargeException("one of them"));
    assertThat(p.inFlightCount()).isZero();
    assertThat(otel.spans()).hasSize(3).allSatisfy(s -> {
      assertThat(s.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isNull();
      assertThat(s.getAttributes().get(SemConv.ERROR_TYPE)).isNull();
      assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
      assertThat(s.getAttributes().get(InFlightSpans.ACK_MISSING)).isNull();
      assertThat(s.getEvents()).extracting(e -> e.getName())
          .containsExactly(TracingProducerInterceptor.NO_HEADERS_EVENT);
    });
  }

  @Test
  void anUnsampledSendMakesTheFirstTwoArgumentAckAmbiguous() {
    // without metrics an unsampled send's span does not wait for the answer
    TracingProducerInterceptor p = interceptor(Map.of(BatonTracing.METRICS_ENABLED, false));
    Span unsampled = Span.wrap(SpanContext.create(
        "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", TraceFlags.getDefault(),
        TraceState.getDefault()));
    try (Scope ignored = unsampled.makeCurrent()) {
      p.onSend(new ProducerRecord<>("orders", "not recorded"));
    }
    p.onSend(new ProducerRecord<>("orders", "recorded"));
    assertThat(p.inFlightCount()).isEqualTo(1);
    // the answer may be the unsampled record's: its offset must not land on the recorded span
    p.onAcknowledgement(metadata("orders", 0, 11L), null);
    assertThat(p.inFlightCount()).isZero();
    SpanData send = otel.only(SpanKind.PRODUCER);
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isNull();
  }

  @Test
  void withMetricsAnUnsampledSendWaitsForItsAnswerToo() {
    TracingProducerInterceptor p = interceptor(Map.of());
    Span unsampled = Span.wrap(SpanContext.create(
        "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", TraceFlags.getDefault(),
        TraceState.getDefault()));
    try (Scope ignored = unsampled.makeCurrent()) {
      p.onSend(new ProducerRecord<>("orders", "not recorded"));
    }
    p.onSend(new ProducerRecord<>("orders", "recorded"));
    assertThat(p.inFlightCount()).as("both sends are timed until their answer").isEqualTo(2);
    p.onAcknowledgement(metadata("orders", 0, 11L), null);
    assertThat(p.inFlightCount()).isZero();
    SpanData send = otel.only(SpanKind.PRODUCER);
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isNull();
    // both counted; neither timed, since the answer could not be told apart
    assertThat(otel.counter("messaging.client.sent.messages", Attributes.of(
        SemConv.MESSAGING_SYSTEM, "kafka", SemConv.MESSAGING_OPERATION_NAME, "send",
        SemConv.MESSAGING_DESTINATION_NAME, "orders"))).isEqualTo(2);
    assertThat(otel.points("messaging.client.operation.duration")).isEmpty();
  }

  @Test
  void aThreeArgumentAckWinsOverAStrayTwoArgumentOne() {
    TracingProducerInterceptor p = interceptor(Map.of());
    ProducerRecord<Object, Object> a = p.onSend(new ProducerRecord<>("orders", "a"));
    p.onAcknowledgement(metadata("orders", 0, 1L), null, a.headers());
    ProducerRecord<Object, Object> b = p.onSend(new ProducerRecord<>("orders", "b"));
    p.onAcknowledgement(metadata("orders", 0, 2L), null); // a wrapper calling both overloads
    assertThat(p.answers()).isEqualTo(InFlightSpans.WITH_HEADERS);
    assertThat(p.inFlightCount()).as("still waiting for b's own answer").isEqualTo(1);
    p.onAcknowledgement(metadata("orders", 0, 2L), null, b.headers());
    assertThat(p.inFlightCount()).isZero();
    assertThat(otel.spans())
        .extracting(s -> s.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET))
        .containsExactly(1L, 2L);
  }

  @Test
  void aThreeArgumentAckAfterTwoArgumentOnesMakesSpansWaitForTheAnswerAgain() {
    TracingProducerInterceptor p = interceptor(Map.of());
    p.onSend(new ProducerRecord<>("orders", "a"));
    p.onAcknowledgement(metadata("orders", 0, 1L), null);
    ProducerRecord<Object, Object> b = p.onSend(new ProducerRecord<>("orders", "b"));
    assertThat(p.inFlightCount()).isZero();
    p.onAcknowledgement(metadata("orders", 0, 2L), null, b.headers()); // b already ended: no-op
    ProducerRecord<Object, Object> c = p.onSend(new ProducerRecord<>("orders", "c"));
    assertThat(p.inFlightCount()).isEqualTo(1);
    p.onAcknowledgement(metadata("orders", 0, 3L), null, c.headers());
    assertThat(p.inFlightCount()).isZero();
    assertThat(otel.spans())
        .extracting(s -> s.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET))
        .containsExactly(1L, null, 3L);
  }

  @Test
  void noAckAtAllLeavesSpansToCloseWhichEndsThemAll() {
    TracingProducerInterceptor p = interceptor(Map.of());
    p.onSend(new ProducerRecord<>("orders", "a"));
    p.onSend(new ProducerRecord<>("orders", "b"));
    p.close();
    assertThat(p.inFlightCount()).isZero();
    assertThat(otel.spans()).hasSize(2)
        .allMatch(s -> Boolean.TRUE.equals(s.getAttributes().get(InFlightSpans.ACK_MISSING)));
  }

  @Test
  void parseSpanIdReadsOnlyLowercaseHex() {
    byte[] tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".getBytes();
    assertThat(InFlightSpans.parseSpanId(tp)).isEqualTo(Long.parseUnsignedLong("b7ad6b7169203331", 16));
    assertThat(InFlightSpans.parseSpanId("short".getBytes())).isEqualTo(-1);
    tp[40] = 'G';
    assertThat(InFlightSpans.parseSpanId(tp)).isEqualTo(-1);
  }
}
