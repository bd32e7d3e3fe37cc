package dev.baton.kafka;

import static dev.baton.kafka.KafkaTestSupport.batch;
import static dev.baton.kafka.KafkaTestSupport.consumed;
import static dev.baton.kafka.KafkaTestSupport.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.internal.SemConv;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code baton.kafka.consumer.process.spans=true}: iterating what {@code onConsume} returns runs
 * each loop body inside that record's process span. Runs with OpenTelemetry's strict context
 * storage (see the pom), which throws on a scope closed on another thread or out of order.
 */
class ProcessSpansTest {

  static final String TRACE_A = "0af7651916cd43dd8448eb211c80319c";
  static final String SPAN_A = "b7ad6b7169203331";
  static final String TRACE_B = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN_B = "00f067aa0ba902b7";

  final InMemoryTelemetry otel = InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  final KafkaTracing tracing = KafkaTracing.builder(otel.openTelemetry()).processSpans(true).build();
  final List<TracingConsumerInterceptor> opened = new ArrayList<>();
  final ExecutorService worker = Executors.newSingleThreadExecutor();

  @AfterEach
  void tearDown() throws InterruptedException {
    for (TracingConsumerInterceptor i : opened) {
      i.close();
    }
    worker.shutdownNow();
    worker.awaitTermination(5, TimeUnit.SECONDS);
    assertThat(Context.current()).as("no scope left on the test thread").isSameAs(Context.root());
  }

  TracingConsumerInterceptor interceptor(KafkaTracing kafkaTracing) {
    Map<String, Object> config = new HashMap<>(kafkaTracing.consumerProperties());
    config.put("group.id", "fulfilment");
    config.put("client.id", "fulfilment-1");
    TracingConsumerInterceptor i = new TracingConsumerInterceptor();
    i.configure(config);
    opened.add(i);
    return i;
  }

  static ConsumerRecord<Object, Object> traced(long offset, String traceId, String spanId) {
    return consumed("orders", 0, offset, "k" + offset, "v",
        headers("traceparent", "00-" + traceId + "-" + spanId + "-01"));
  }

  static ConsumerRecord<Object, Object> untraced(long offset) {
    return consumed("orders", 0, offset, "k" + offset, "v", new RecordHeaders());
  }

  List<SpanData> processSpans() {
    List<SpanData> out = new ArrayList<>();
    for (SpanData s : otel.spans()) {
      if (s.getKind() == SpanKind.CONSUMER) {
        out.add(s);
      }
    }
    return out;
  }

  @Test
  void offByDefaultTheRecordsComeBackAsTheyCame() {
    ConsumerRecords<Object, Object> records = batch(List.of(traced(1, TRACE_A, SPAN_A)));
    assertThat(interceptor(KafkaTracing.create(otel.openTelemetry())).onConsume(records)).isSameAs(records);
    for (ConsumerRecord<Object, Object> r : records) {
      assertThat(Span.current().getSpanContext().isValid()).isFalse();
    }
    assertThat(processSpans()).isEmpty();
  }

  @Test
  void eachLoopBodyRunsInItsRecordsProcessSpan() {
    ConsumerRecords<Object, Object> records =
        interceptor(tracing).onConsume(batch(List.of(traced(7, TRACE_A, SPAN_A), traced(8, TRACE_B, SPAN_B))));

    List<String> seen = new ArrayList<>();
    int finishedBeforeBody = -1;
    for (ConsumerRecord<Object, Object> record : records) {
      seen.add(Span.current().getSpanContext().getTraceId() + "/" + Span.current().getSpanContext().getSpanId());
      if (record.offset() == 8) {
        finishedBeforeBody = processSpans().size();
      }
    }

    assertThat(Context.current()).as("the loop ended: its last span's scope is closed").isSameAs(Context.root());
    List<SpanData> spans = processSpans();
    assertThat(spans).hasSize(2);
    assertThat(finishedBeforeBody).as("taking the next record ends the previous one's span").isEqualTo(1);
    SpanData first = spans.get(0);
    SpanData second = spans.get(1);
    assertThat(first.getName()).isEqualTo("process orders");
    assertThat(first.getTraceId()).isEqualTo(TRACE_A);
    assertThat(first.getParentSpanId()).isEqualTo(SPAN_A);
    assertThat(first.getParentSpanContext().isRemote()).isTrue();
    assertThat(second.getTraceId()).isEqualTo(TRACE_B);
    assertThat(second.getParentSpanId()).isEqualTo(SPAN_B);
    assertThat(seen).containsExactly(
        TRACE_A + "/" + first.getSpanId(), TRACE_B + "/" + second.getSpanId());
    assertThat(first.getAttributes().get(SemConv.MESSAGING_OPERATION_TYPE)).isEqualTo("process");
    assertThat(first.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME)).isEqualTo("orders");
    assertThat(first.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isEqualTo(7L);
    assertThat(first.getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME)).isEqualTo("fulfilment");
    assertThat(first.getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).isEqualTo("fulfilment-1");
  }

  @Test
  void partitionAndTopicViewsAndForEachAreTracedIndexedAccessIsNot() {
    TopicPartition tp = new TopicPartition("orders", 0);
    ConsumerRecords<Object, Object> records =
        interceptor(tracing).onConsume(batch(List.of(traced(1, TRACE_A, SPAN_A), traced(2, TRACE_B, SPAN_B))));

    List<String> traces = new ArrayList<>();
    for (ConsumerRecord<Object, Object> r : records.records(tp)) {
      traces.add(Span.current().getSpanContext().getTraceId());
    }
    for (ConsumerRecord<Object, Object> r : records.records("orders")) {
      traces.add(Span.current().getSpanContext().getTraceId());
    }
    records.forEach(r -> traces.add(Span.current().getSpanContext().getTraceId()));
    records.records(tp).forEach(r -> traces.add(Span.current().getSpanContext().getTraceId()));
    assertThat(records.records(tp).stream().map(r -> Span.current().getSpanContext().getTraceId()))
        .containsExactly(TRACE_A, TRACE_B);
    assertThat(traces).containsExactly(
        TRACE_A, TRACE_B, TRACE_A, TRACE_B, TRACE_A, TRACE_B, TRACE_A, TRACE_B);
    assertThat(processSpans()).hasSize(10);

    assertThat(records.records(tp).get(1).offset()).isEqualTo(2L);
    assertThat(records.count()).isEqualTo(2);
    assertThat(records.partitions()).containsExactly(tp);
    assertThat(records.records(new TopicPartition("orders", 5))).isEmpty();
    assertThat(processSpans()).as("indexed access, count and partitions open no span").hasSize(10);
  }

  @Test
  @SuppressWarnings("deprecation")
  void thePollsNextOffsetsAreKept() {
    TopicPartition tp = new TopicPartition("orders", 0);
    Map<TopicPartition, List<ConsumerRecord<Object, Object>>> byPartition = new LinkedHashMap<>();
    byPartition.put(tp, List.of(traced(1, TRACE_A, SPAN_A)));
    Map<TopicPartition, OffsetAndMetadata> next = Map.of(tp, new OffsetAndMetadata(2L));
    ConsumerRecords<Object, Object> polled = new ConsumerRecords<>(byPartition, next);

    ConsumerRecords<Object, Object> records = interceptor(tracing).onConsume(polled);

    assertThat(records).isNotSameAs(polled);
    assertThat(records.nextOffsets()).isEqualTo(next);
  }

  @Test
  void aLoopLeftByBreakEndsAtTheNextPollAndLeaksIntoNoOtherRecord() {
    TracingConsumerInterceptor interceptor = interceptor(tracing);
    ConsumerRecords<Object, Object> first =
        interceptor.onConsume(batch(List.of(traced(1, TRACE_A, SPAN_A), traced(2, TRACE_B, SPAN_B))));
    for (ConsumerRecord<Object, Object> r : first) {
      break; // e.g. a seek and retry: the first record's scope stays open
    }
    assertThat(Span.current().getSpanContext().getTraceId()).isEqualTo(TRACE_A);
    assertThat(processSpans()).isEmpty();

    ConsumerRecords<Object, Object> second = interceptor.onConsume(batch(List.of(untraced(3))));

    assertThat(Context.current()).as("the next poll closed the scope left open").isSameAs(Context.root());
    assertThat(processSpans()).hasSize(1);
    for (ConsumerRecord<Object, Object> r : second) {
      assertThat(Span.current().getSpanContext().getTraceId()).isNotEqualTo(TRACE_A);
    }
    SpanData untracedSpan = processSpans().get(1);
    assertThat(untracedSpan.getParentSpanContext().isValid())
        .as("a record without trace headers starts from the context of its poll, not a leftover")
        .isFalse();
  }

  @Test
  void aLoopLeftByAnExceptionEndsWhenTheConsumerCloses() {
    TracingConsumerInterceptor interceptor = interceptor(tracing);
    ConsumerRecords<Object, Object> records = interceptor.onConsume(batch(List.of(traced(1, TRACE_A, SPAN_A))));
    assertThatThrownBy(() -> {
      for (ConsumerRecord<Object, Object> r : records) {
        throw new IllegalStateException("handler failed");
      }
    }).hasMessage("handler failed");
    assertThat(Span.current().getSpanContext().getTraceId()).isEqualTo(TRACE_A);

    interceptor.close();

    assertThat(Context.current()).isSameAs(Context.root());
    assertThat(processSpans()).hasSize(1);
  }

  @Test
  void forEachRecordsTheActionsExceptionAndRethrowsIt() {
    ConsumerRecords<Object, Object> records =
        interceptor(tracing).onConsume(batch(List.of(traced(1, TRACE_A, SPAN_A), traced(2, TRACE_B, SPAN_B))));
    IllegalArgumentException failure = new IllegalArgumentException("bad order");

    assertThatThrownBy(() -> records.forEach(r -> {
      throw failure;
    })).isSameAs(failure);

    assertThat(Context.current()).isSameAs(Context.root());
    SpanData failed = processSpans().get(0);
    assertThat(processSpans()).hasSize(1);
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(failed.getAttributes().get(SemConv.ERROR_TYPE)).isEqualTo(IllegalArgumentException.class.getName());
  }

  @Test
  void aLoopOnAnotherThreadHasItsSpanEndedByThePollAndItsScopeClosedOnItsOwnThread() throws Exception {
    TracingConsumerInterceptor interceptor = interceptor(tracing);
    ConsumerRecords<Object, Object> records =
        interceptor.onConsume(batch(List.of(traced(1, TRACE_A, SPAN_A), traced(2, TRACE_B, SPAN_B))));
    CountDownLatch inFirstRecord = new CountDownLatch(1);
    CountDownLatch polledAgain = new CountDownLatch(1);
    Future<Context> after = worker.submit(() -> {
      Iterator<ConsumerRecord<Object, Object>> it = records.iterator();
      it.next();
      inFirstRecord.countDown();
      polledAgain.await(5, TimeUnit.SECONDS);
      while (it.hasNext()) {
        it.next();
      }
      return Context.current();
    });
    assertThat(inFirstRecord.await(5, TimeUnit.SECONDS)).isTrue();

    interceptor.onConsume(batch(List.of(untraced(3)))); // on this thread: must not touch the worker's scope

    assertThat(processSpans()).as("the poll ended the first record's span").hasSize(1);
    polledAgain.countDown();
    assertThat(after.get(5, TimeUnit.SECONDS)).as("the worker closed its own scopes").isSameAs(Context.root());
    assertThat(processSpans()).hasSize(2);
  }
}
