package dev.baton.kafka;

import static dev.baton.kafka.KafkaTestSupport.batch;
import static dev.baton.kafka.KafkaTestSupport.consumed;
import static dev.baton.kafka.KafkaTestSupport.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.internal.SemConv;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcessingTest {

  static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  static final String PRODUCER_SPAN = "b7ad6b7169203331";
  static final String TP = "00-" + TRACE_ID + "-" + PRODUCER_SPAN + "-01";

  final InMemoryTelemetry otel =
      InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  final KafkaTracing tracing = KafkaTracing.create(otel.openTelemetry());
  final ExecutorService worker = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() throws InterruptedException {
    for (TracingConsumerInterceptor i : opened) {
      i.close();
    }
    worker.shutdownNow();
    worker.awaitTermination(5, TimeUnit.SECONDS);
    assertThat(Context.current()).isSameAs(Context.root());
  }

  final List<TracingConsumerInterceptor> opened = new java.util.ArrayList<>();

  TracingConsumerInterceptor interceptor(Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>(tracing.consumerProperties());
    config.put("group.id", "fulfilment");
    config.put("client.id", "fulfilment-1");
    config.putAll(extra);
    TracingConsumerInterceptor i = new TracingConsumerInterceptor();
    i.configure(config);
    opened.add(i);
    return i;
  }

  @Test
  void processingOnAWorkerThreadContinuesTheRecordsTrace() throws Exception {
    ConsumerRecord<Object, Object> record =
        consumed("orders", 3, 17L, "order-1", "{}", headers("traceparent", TP));
    interceptor(Map.of()).onConsume(batch(List.of(record)));

    AtomicReference<String> seenTrace = new AtomicReference<>();
    AtomicReference<Context> afterwards = new AtomicReference<>();
    worker.submit(() -> {
      tracing.process(record, r -> seenTrace.set(Span.current().getSpanContext().getTraceId()));
      afterwards.set(Context.current());
      return null;
    }).get(5, TimeUnit.SECONDS);

    SpanData process = otel.only(SpanKind.CONSUMER);
    assertThat(process.getName()).isEqualTo("process orders");
    assertThat(process.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(process.getParentSpanId()).isEqualTo(PRODUCER_SPAN);
    assertThat(seenTrace.get()).isEqualTo(TRACE_ID);
    assertThat(afterwards.get()).as("scope closed on the worker").isSameAs(Context.root());
    assertThat(process.getAttributes().get(SemConv.MESSAGING_SYSTEM)).isEqualTo("kafka");
    assertThat(process.getAttributes().get(SemConv.MESSAGING_OPERATION_TYPE)).isEqualTo("process");
    assertThat(process.getAttributes().get(SemConv.MESSAGING_OPERATION_NAME)).isEqualTo("process");
    assertThat(process.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME)).isEqualTo("orders");
    assertThat(process.getAttributes().get(SemConv.MESSAGING_DESTINATION_PARTITION_ID)).isEqualTo("3");
    assertThat(process.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isEqualTo(17L);
    assertThat(process.getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME)).isEqualTo("fulfilment");
    assertThat(process.getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).isEqualTo("fulfilment-1");
    assertThat(process.getAttributes().get(SemConv.MESSAGING_MESSAGE_BODY_SIZE)).isEqualTo(11L);
  }

  @Test
  void withoutTheInterceptorTheHeadersAreReadAtProcessingTime() {
    ConsumerRecord<Object, Object> record =
        consumed("never-polled", 0, 1L, null, "{}", headers("traceparent", TP));
    tracing.process(record, r -> {});
    SpanData process = otel.only(SpanKind.CONSUMER);
    assertThat(process.getParentSpanId()).isEqualTo(PRODUCER_SPAN);
    assertThat(process.getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME)).isNull();
  }

  @Test
  void theProcessorsExceptionIsRecordedAndRethrownUnchanged() {
    ConsumerRecord<Object, Object> record =
        consumed("orders", 0, 1L, null, "{}", headers("traceparent", TP));
    IOException failure = new IOException("disk full");
    assertThatThrownBy(() -> tracing.process(record, r -> { throw failure; })).isSameAs(failure);
    SpanData process = otel.only(SpanKind.CONSUMER);
    assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(process.getAttributes().get(SemConv.ERROR_TYPE)).isEqualTo("java.io.IOException");
  }

  @Test
  void scopeFormMakesTheSpanCurrentAndRestoresTheContext() {
    ConsumerRecord<Object, Object> record =
        consumed("orders", 0, 1L, null, "{}", headers("traceparent", TP));
    try (dev.baton.core.ProcessingScope scope = tracing.startProcessing(record)) {
      assertThat(Span.current()).isSameAs(scope.span());
      scope.recordException(new IllegalStateException("nope"));
    }
    assertThat(Context.current()).isSameAs(Context.root());
    assertThat(otel.only(SpanKind.CONSUMER).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void noIncomingContextMakesAChildOfTheCurrentSpan() {
    Span job = otel.openTelemetry().getTracer("t").spanBuilder("job").startSpan();
    try (var ignored = job.makeCurrent()) {
      tracing.process(consumed("orders", 0, 1L, null, null, new RecordHeaders()), r -> {});
    }
    job.end();
    SpanData process = otel.only(SpanKind.CONSUMER);
    assertThat(process.getParentSpanId()).isEqualTo(job.getSpanContext().getSpanId());
    assertThat(process.getAttributes().get(SemConv.MESSAGING_KAFKA_MESSAGE_TOMBSTONE)).isTrue();
  }

  @Test
  void badHeadersNeverThrowAndRestartTheTrace() {
    byte[] huge = new byte[1 << 20];
    new Random(3).nextBytes(huge);
    RecordHeaders nullValue = new RecordHeaders();
    nullValue.add("traceparent", null);
    List<ConsumerRecord<Object, Object>> records = List.of(
        consumed("orders", 0, 1L, null, "{}", nullValue),
        consumed("orders", 0, 2L, null, "{}", headers("traceparent", new byte[] {(byte) 0xc3, 0x28})),
        consumed("orders", 0, 3L, null, "{}", headers("traceparent", huge)),
        consumed("orders", 0, 4L, null, "{}", headers("traceparent", TP, "traceparent", TP)),
        consumed("orders", 0, 5L, null, null, headers("b3", "garbage", "uber-trace-id", "x:y:z")),
        consumed("orders", 0, 6L, null, "{}", headers("traceparent", "  " + TP + "\t")));
    interceptor(Map.of("baton.kafka.consumer.receive.spans", true)).onConsume(batch(records));
    for (ConsumerRecord<Object, Object> r : records) {
      tracing.process(r, x -> {});
    }
    List<SpanData> processed = new java.util.ArrayList<>();
    for (SpanData s : otel.spans()) {
      if (s.getKind() == SpanKind.CONSUMER) {
        processed.add(s);
      }
    }
    assertThat(processed).hasSize(6);
    for (int i = 0; i < 5; i++) {
      assertThat(processed.get(i).getTraceId()).as("record %d restarts", i).isNotEqualTo(TRACE_ID);
    }
    assertThat(processed.get(5).getTraceId()).as("whitespace is tolerated").isEqualTo(TRACE_ID);
  }

  @Test
  void receiveSpanPerTopicLinksEveryRecord() {
    String other = "00-" + "1".repeat(32) + "-" + "2".repeat(16) + "-01";
    List<ConsumerRecord<Object, Object>> records = List.of(
        consumed("orders", 0, 1L, null, "{}", headers("traceparent", TP)),
        consumed("orders", 1, 1L, null, "{}", headers("traceparent", other)),
        consumed("orders", 1, 2L, null, "{}", new RecordHeaders()));
    interceptor(Map.of("baton.kafka.consumer.receive.spans", "true")).onConsume(batch(records));
    SpanData poll = otel.only(SpanKind.CLIENT);
    assertThat(poll.getName()).isEqualTo("poll orders");
    assertThat(poll.getAttributes().get(SemConv.MESSAGING_OPERATION_TYPE)).isEqualTo("receive");
    assertThat(poll.getAttributes().get(SemConv.MESSAGING_BATCH_MESSAGE_COUNT)).isEqualTo(3L);
    assertThat(poll.getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME)).isEqualTo("fulfilment");
    assertThat(poll.getLinks()).extracting(l -> l.getSpanContext().getTraceId())
        .containsExactly(TRACE_ID, "1".repeat(32));
  }

  @Test
  void receiveSpansAreOffByDefault() {
    interceptor(Map.of()).onConsume(
        batch(List.of(consumed("orders", 0, 1L, null, "{}", headers("traceparent", TP)))));
    assertThat(otel.spans()).isEmpty();
  }

  @Test
  void linkPolicyStartsANewTraceLinkedToTheProducer() {
    KafkaTracing linking =
        KafkaTracing.builder(
                dev.baton.core.BatonTracing.builder(otel.openTelemetry())
                    .inboundPolicy(dev.baton.core.InboundPolicy.LINK)
                    .build())
            .build();
    linking.process(consumed("orders", 0, 1L, null, "{}", headers("traceparent", TP)), r -> {});
    SpanData process = otel.only(SpanKind.CONSUMER);
    assertThat(process.getTraceId()).isNotEqualTo(TRACE_ID);
    assertThat(process.getLinks()).extracting(l -> l.getSpanContext().getSpanId())
        .containsExactly(PRODUCER_SPAN);
  }

  @Test
  void twoGroupsReadingTheSameTopicEachNameTheirOwnGroup() {
    // the same topic, partition and offset, read by two consumers (two groups, or two clusters)
    ConsumerRecord<Object, Object> forFulfilment =
        consumed("shared", 0, 1L, null, "{}", headers("traceparent", TP));
    ConsumerRecord<Object, Object> forAudit =
        consumed("shared", 0, 1L, null, "{}", headers("traceparent", TP));
    TracingConsumerInterceptor fulfilment = interceptor(Map.of());
    TracingConsumerInterceptor audit =
        interceptor(Map.of("group.id", "audit", "client.id", "audit-1"));
    fulfilment.onConsume(batch(List.of(forFulfilment)));
    audit.onConsume(batch(List.of(forAudit)));

    tracing.process(forAudit, r -> {});
    tracing.process(forFulfilment, r -> {});

    List<SpanData> processed = otel.spans();
    assertThat(processed).hasSize(2);
    assertThat(processed.get(0).getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME)).isEqualTo("audit");
    assertThat(processed.get(0).getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).isEqualTo("audit-1");
    assertThat(processed.get(1).getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME)).isEqualTo("fulfilment");
    assertThat(processed.get(1).getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).isEqualTo("fulfilment-1");
    assertThat(processed).allMatch(s -> s.getParentSpanId().equals(PRODUCER_SPAN));
  }

  @Test
  void aRecordOfAConsumerWithoutTheInterceptorIsNeverNamedAfterAnotherConsumer() {
    ConsumerRecord<Object, Object> polled =
        consumed("shared", 0, 1L, null, "{}", headers("traceparent", TP));
    ConsumerRecord<Object, Object> fromAnotherConsumer =
        consumed("shared", 0, 1L, null, "{}", headers("traceparent", TP));
    interceptor(Map.of()).onConsume(batch(List.of(polled)));
    tracing.process(fromAnotherConsumer, r -> {});
    SpanData process = otel.only(SpanKind.CONSUMER);
    assertThat(process.getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME)).isNull();
    assertThat(process.getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).isNull();
    assertThat(process.getParentSpanId()).isEqualTo(PRODUCER_SPAN);
  }

  @Test
  void aRecordProcessedAfterItsConsumerClosedIsUnnamed() {
    ConsumerRecord<Object, Object> record =
        consumed("orders", 0, 1L, null, "{}", headers("traceparent", TP));
    TracingConsumerInterceptor consumer = interceptor(Map.of());
    consumer.onConsume(batch(List.of(record)));
    consumer.close();
    tracing.process(record, r -> {});
    assertThat(otel.only(SpanKind.CONSUMER).getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME))
        .isNull();
  }

  @Test
  void recordsOfEarlierBatchesAreNamedUntilTheConsumerPolledManyMore() {
    TracingConsumerInterceptor consumer = interceptor(Map.of());
    ConsumerRecord<Object, Object> first =
        consumed("orders", 0, 0L, null, "{}", headers("traceparent", TP));
    consumer.onConsume(batch(List.of(first)));
    long offset = 1;
    // the worker pool lags: this many records were polled after it, and it is still known
    for (int b = 0; b < (ConsumerIdentities.REMEMBERED - 1) / 500; b++) {
      List<ConsumerRecord<Object, Object>> records = new java.util.ArrayList<>();
      for (int i = 0; i < 500; i++) {
        records.add(consumed("orders", 0, offset++, null, "{}", new RecordHeaders()));
      }
      consumer.onConsume(batch(records));
    }
    tracing.process(first, r -> {});
    assertThat(otel.only(SpanKind.CONSUMER).getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME))
        .isEqualTo("fulfilment");
    otel.reset();

    // memory stays bounded: far enough behind, a record is forgotten (unnamed, never misnamed)
    for (int b = 0; b < 2 * ConsumerIdentities.REMEMBERED / 500 + 1; b++) {
      List<ConsumerRecord<Object, Object>> records = new java.util.ArrayList<>();
      for (int i = 0; i < 500; i++) {
        records.add(consumed("orders", 0, offset++, null, "{}", new RecordHeaders()));
      }
      consumer.onConsume(batch(records));
    }
    tracing.process(first, r -> {});
    assertThat(otel.only(SpanKind.CONSUMER).getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME))
        .isNull();
  }

  @Test
  void aRecordObjectClaimedByTwoConsumersIsLeftUnnamed() {
    // cannot happen with KafkaConsumer (each poll makes its own records); Baton still never guesses
    ConsumerRecord<Object, Object> record =
        consumed("shared", 0, 1L, null, "{}", headers("traceparent", TP));
    interceptor(Map.of()).onConsume(batch(List.of(record)));
    interceptor(Map.of("group.id", "audit")).onConsume(batch(List.of(record)));
    tracing.process(record, r -> {});
    SpanData process = otel.only(SpanKind.CONSUMER);
    assertThat(process.getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME)).isNull();
    assertThat(process.getParentSpanId()).isEqualTo(PRODUCER_SPAN);
  }
}
